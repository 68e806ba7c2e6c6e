#!/usr/bin/env bash
# Builds the small committed set data/samples/ (data/README.md; how each clip is chosen: scripts/sample_clips.py):
# 30 clips of 3 s, 24 kHz mono 16-bit WAV at -1 dBFS peak, with manifest.jsonl and CLIPS.md (attribution).
# Usage: scripts/build-samples.sh   (the package cache is data/.cache)
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$repo/data/.cache"
out="$repo/data/samples"

"$repo/scripts/fetch-sources.sh" "$cache"
mkdir -p "$out"
/usr/bin/python3 "$repo/scripts/sample_clips.py" "$cache" "$out"
echo "$(find "$out" -name '*.wav' | wc -l) clips, $(du -sh "$out" | cut -f1) in $out"
