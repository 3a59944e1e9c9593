#!/usr/bin/env bash
# The prepared GPU run (issue 20): one script for a lent GPU machine, tested here on Mesa's
# lavapipe first. From the repository root, with .gpu/ from bench/gpu/pack.sh carried along:
#
#   bash bench/gpu/run.sh            # writes every figure as JSON under $OUT
#
# Parts, each under its own time limit (seconds, overridable) so that one slow part cannot eat
# the run, and skipped when the time left (GPU_RUN_TOTAL, default 560 s) cannot hold it:
#   setup      Node 24, the packages and the Vulkan loader from .gpu/ (or what is installed)
#   probe      does the WebGPU provider start, on which adapter
#   demo-cpu   the demo evaluation on --device cpu
#   demo-gpu   the same on --device webgpu, every task but the CTC one
#   ctc-gpu    the CTC task (demo_speech) on webgpu, under its own limit
#   agreement  Track B identical and Track A within 1e-4 between the two (bench/agreement.ts)
#   bench      npm run bench -- --device webgpu (example encoders, the 85.5M transformer against
#              PyTorch CUDA fp32/TF32/bf16 where torch has CUDA, kNN, probe steps)
# $OUT gets parts.json (each part's status and seconds), probe.json, agreement.json,
# bench.json and logs.tar.xz (every log and the results' measurements).
# GPU_RUN_QUICK=1 limits the demo to one submission and task, for a check on software Vulkan.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
OUT=${OUT:-$root/.gpu-out}
mkdir -p "$OUT"
work=$(mktemp -d)
logs="$work/logs"
mkdir -p "$logs"
total=${GPU_RUN_TOTAL:-560}
started=$(date +%s)
parts="$work/parts.jsonl"
: >"$parts"

record() { # name status seconds
  printf '{"part":"%s","status":"%s","seconds":%s}\n' "$1" "$2" "$3" >>"$parts"
}

# part <name> <limit seconds> <command...>: run it under its limit, log to $logs/<name>.log.
part() {
  local name=$1 limit=$2
  shift 2
  local left=$((total - ($(date +%s) - started)))
  if [ "$left" -lt 10 ]; then
    record "$name" "skipped: no time left" 0
    return 1
  fi
  if [ "$limit" -gt "$left" ]; then limit=$left; fi
  local begin=$(date +%s%N)
  # Through bash, so that the shell functions below (exported) can run under timeout too.
  timeout --kill-after=5 "$limit" bash -c '"$@"' part "$@" >"$logs/$name.log" 2>&1
  local code=$?
  local seconds=$(((($(date +%s%N) - begin) / 1000000)))
  seconds=$(printf '%d.%03d' $((seconds / 1000)) $((seconds % 1000)))
  case $code in
    0) record "$name" ok "$seconds" ;;
    124 | 137) record "$name" "timed out after ${limit} s" "$seconds" ;;
    *) record "$name" "failed (exit $code)" "$seconds" ;;
  esac
  return $code
}

setup() {
  if [ -f .gpu/node.xz ]; then
    xz -dc .gpu/node.xz >"$work/node" && chmod +x "$work/node"
  elif [ -x node_modules/node/bin/node ]; then
    cp node_modules/node/bin/node "$work/node"
  else
    cp "$(command -v node)" "$work/node"
  fi
  if [ -f .gpu/modules.tar.xz ] && [ ! -d node_modules/onnxruntime-node ]; then
    xz -dc .gpu/modules.tar.xz | tar -xf -
  fi
  # The Vulkan loader, where the machine lacks it (the H200 hosts have the driver, not the loader).
  if ! ldconfig -p | grep -q libvulkan.so.1 && ls .gpu/debs/*.deb >/dev/null 2>&1; then
    for deb in .gpu/debs/*.deb; do dpkg -x "$deb" /; done
    ldconfig
  fi
  "$work/node" --version
}

node_run() { "$work/node" "$@"; }

# The JSON of these parts goes to $OUT alone; warnings (Dawn's, Vulkan's) go to the part's log.
probe_json() {
  node_run --input-type=module -e "
    const { providerProblem } = await import('./pipeline/runtime/ort.ts');
    const { gpuDescription } = await import('./pipeline/util/environment.ts');
    const problem = (await providerProblem('webgpu')) ?? null;
    const report = { webgpu: problem === null, problem, gpu: gpuDescription() ?? null };
    process.stdout.write(JSON.stringify(report, null, 2) + '\\n');
  " >"$OUT/probe.json"
}
agreement_json() {
  node_run bench/agreement.ts "$work/results-cpu" "$work/results-gpu" >"$OUT/agreement.json"
}

# Every task but the CTC one, then the CTC head on its own limit (over 20 minutes on lavapipe).
gpu_tasks() {
  local task
  for task in ${GPU_RUN_GPU_TASKS:-demo_sound_events demo_timbre demo_tags demo_scenes demo_notes demo_captions}; do
    node_run pipeline/cli.ts evaluate --device webgpu --task "$task" $selection || return
  done
}

if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
export CI=true LEADERBOARD_CACHE_DIR="$work/cache"

selection=""
if [ "${GPU_RUN_QUICK:-}" = 1 ]; then
  selection="--submission logmel-baseline --task demo_timbre"
fi
export work selection OUT
export -f setup node_run gpu_tasks probe_json agreement_json

part setup "${GPU_RUN_SETUP_SECONDS:-90}" setup
part probe "${GPU_RUN_PROBE_SECONDS:-60}" probe_json
LEADERBOARD_RESULTS_DIR="$work/results-cpu" part demo-cpu "${GPU_RUN_DEMO_CPU_SECONDS:-150}" \
  node_run pipeline/cli.ts evaluate --device cpu $selection
if [ "${GPU_RUN_QUICK:-}" = 1 ]; then
  LEADERBOARD_RESULTS_DIR="$work/results-gpu" part demo-gpu "${GPU_RUN_DEMO_GPU_SECONDS:-200}" \
    node_run pipeline/cli.ts evaluate --device webgpu $selection
else
  LEADERBOARD_RESULTS_DIR="$work/results-gpu" part demo-gpu "${GPU_RUN_DEMO_GPU_SECONDS:-200}" gpu_tasks
  LEADERBOARD_RESULTS_DIR="$work/results-gpu" part ctc-gpu "${GPU_RUN_CTC_SECONDS:-120}" \
    node_run pipeline/cli.ts evaluate --device webgpu --task demo_speech
fi
part agreement 30 agreement_json
# shellcheck disable=SC2086 # GPU_RUN_BENCH_ARGS is a list of options
part bench "${GPU_RUN_BENCH_SECONDS:-300}" \
  node_run bench/run.ts ${GPU_RUN_BENCH_ARGS:---device webgpu --repetitions 3} --json "$OUT/bench.json"

{
  printf '{"total_seconds":%s,"parts":[' "$(($(date +%s) - started))"
  paste -sd, "$parts"
  printf ']}\n'
} >"$OUT/parts.json"
(cd "$work" && find results-cpu results-gpu -name '*.measurements.json' 2>/dev/null |
  tar -cf - logs -T - | xz -6 >"$OUT/logs.tar.xz")
cat "$OUT/parts.json"
rm -rf "$work"
