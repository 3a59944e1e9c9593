#!/usr/bin/env bash
# Prepares .gpu/ for bench/gpu/run.sh on a machine with a GPU but no network and no Node: the
# Node 24 binary, the packages the pipeline loads (onnxruntime-node with its Linux x64 binaries
# only) and Debian's Vulkan loader. .gpu/ is ignored by git; the device tool carries it (keep it
# under 64 MiB). Run from the repository root after `npm install`.
set -euo pipefail
cd "$(dirname "$0")/../.."
pack=.gpu
rm -rf "$pack" && mkdir -p "$pack/debs"
node_modules/.bin/node bench/gpu/pack-modules.ts >"$pack/modules.txt"
# Only the Linux x64 build of onnxruntime-node's binaries travels.
tar --exclude='node_modules/onnxruntime-node/bin/napi-v*/darwin' \
  --exclude='node_modules/onnxruntime-node/bin/napi-v*/win32' \
  --exclude='node_modules/onnxruntime-node/bin/napi-v*/linux/arm64' \
  -cf - -T "$pack/modules.txt" | xz -T0 -6 >"$pack/modules.tar.xz"
xz -T0 -6 -c node_modules/node/bin/node >"$pack/node.xz"
# Debian's Vulkan loader, fetched for amd64 from the machine's own package sources.
lists=/tmp/gpu-pack-apt-lists
mkdir -p "$lists/partial"
apt_options=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
apt-get "${apt_options[@]}" update -qq
(cd "$pack/debs" && apt-get "${apt_options[@]}" download -qq libvulkan1)
du -sh "$pack"
