#!/usr/bin/env bash
# Builds the training corpus (data/README.md, "How the corpus is cut"):
# 24 kHz mono 16-bit WAV segments in OUT_DIR/{train,valid,test}/CATEGORY/ and OUT_DIR/manifest.jsonl.
# Usage: scripts/build-corpus.sh [OUT_DIR]   (default data/corpus; the package cache is data/.cache)
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/data/corpus}"
cache="$repo/data/.cache"
started=$(date +%s)

"$repo/scripts/fetch-sources.sh" "$cache"
mkdir -p "$out"
/usr/bin/python3 "$repo/scripts/corpus_segments.py" "$cache" "$out"
echo "  built in $(( $(date +%s) - started )) s"
