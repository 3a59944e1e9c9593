#!/usr/bin/env bash
# Regenerates tests/fixtures/audio/: small files in the formats the pipeline decodes, written by
# ffmpeg, each with ffmpeg's own float32 decode as the reference (<name>.f32, interleaved,
# little-endian). Needs Debian's ffmpeg (apt-get install ffmpeg). The files are committed;
# this script documents how they were made.
set -euo pipefail
out="$(dirname "$0")/../tests/fixtures/audio"
mkdir -p "$out"
signal='aevalsrc=0.3*sin(2*PI*440*t)+0.2*sin(2*PI*1000*t+1):s=16000:d=0.5'
stereo='aevalsrc=0.3*sin(2*PI*440*t)|0.25*sin(2*PI*660*t):s=44100:d=0.1'
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
ff -f lavfi -i "$signal" -c:a libmp3lame -b:a 64k "$out/tone.mp3"
ff -f lavfi -i "$signal" -c:a libvorbis -q:a 3 "$out/tone.ogg"
ff -f lavfi -i "$stereo" -c:a pcm_s24le "$out/stereo-s24.wav"
ff -f lavfi -i "$stereo" -c:a pcm_f32le "$out/stereo-f32.wav"
ff -f lavfi -i "$stereo" -c:a pcm_s32le "$out/stereo-s32.wav"
ff -f lavfi -i "$stereo" -c:a pcm_u8 "$out/stereo-u8.wav"
for file in tone.mp3 tone.ogg stereo-s24.wav stereo-f32.wav stereo-s32.wav stereo-u8.wav; do
  ff -i "$out/$file" -f f32le -c:a pcm_f32le "$out/$file.f32"
done
ls -l "$out"
