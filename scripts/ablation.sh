#!/usr/bin/env bash
# The continuous codec's ablation: the tiny-cpu recipe against one change at a time, every run for the same steps on
# the same corpus, each scored on the validation split during training and on the test split at the end.
# Runs resume: rerun the same command after an interruption. The table goes to OUT/ablation.md.
# Usage: scripts/ablation.sh [CORPUS] [OUT] [STEPS] [THREADS]   (defaults: data/corpus runs/ablation 500 2)
# Set POSTRVQ_CLI to a built PostRvq.Cli.dll to skip `dotnet run`. Set VARIANTS (e.g. "recipe adversarial") to run only
# those, e.g. two at once on different cores into the same OUT; a run without VARIANTS runs what is missing and the table.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${1:-$repo/data/corpus}"
out="${2:-$repo/runs/ablation}"
steps="${3:-500}"
threads="${4:-2}"
mkdir -p "$out"
# Every command, scoring included, runs on this many threads: two runs side by side on oversubscribed cores
# otherwise spend most of their time waiting at OpenMP barriers.
export OMP_NUM_THREADS="$threads"

postrvq() {
  if [[ -n "${POSTRVQ_CLI:-}" ]]; then dotnet "$POSTRVQ_CLI" "$@"
  else dotnet run --project "$repo/src/PostRvq.Cli" -c Release -- "$@"; fi
}

# The recipe trains reconstruction-only at this length (its discriminators join at step 6,000), so every variant
# but "adversarial" switches them off.
recipe=(--config tiny-cpu --set training.adversarial=false)
# The waveform family with the recipe's losses, crops and optimisation, so only the architecture differs.
waveform=(--config tiny-cpu-waveform --set training.adversarial=false --set loss.waveform=10 --set loss.mdct=1
  --set training.cropSeconds=1.0 --set training.learningRate=0.0004 --set training.learningRateDecay=0.9999
  --set training.learningRateWarmupSteps=500 --set training.validationClips=32 --set training.checkpointEvery=100)

variant() {
  local name="$1"; shift
  local run="$out/$name"
  if [[ -n "${VARIANTS:-}" && " $VARIANTS " != *" $name "* ]]; then return; fi
  if [[ ! -f "$run/test.json" ]]; then
    echo "== $name: $*"
    local started; started=$(date +%s)
    postrvq train --data "$corpus" --out "$run" --steps "$steps" --threads "$threads" "$@"
    echo $(( $(date +%s) - started + $(cat "$run/seconds" 2>/dev/null || echo 0) )) > "$run/seconds.tmp"
    mv "$run/seconds.tmp" "$run/seconds"
    postrvq evaluate --model "$run" --data "$corpus" --split test --json "$run/test.json.tmp"
    mv "$run/test.json.tmp" "$run/test.json"
  fi
}

variant recipe "${recipe[@]}"
variant no-linear-init "${recipe[@]}" --set model.linearInit=false
variant no-phase-loss "${recipe[@]}" --set loss.waveform=0 --set loss.mdct=0
variant adversarial --config tiny-cpu --set training.adversarialWarmupSteps=0
variant waveform-family "${waveform[@]}"

[[ -n "${VARIANTS:-}" ]] && exit 0
if [[ ! -f "$out/pca-anchor.json" ]]; then
  postrvq anchor --data "$corpus" --basis pca --out "$out/pca-anchor.model"
  postrvq evaluate --model "$out/pca-anchor.model" --data "$corpus" --split test --json "$out/pca-anchor.json.tmp"
  mv "$out/pca-anchor.json.tmp" "$out/pca-anchor.json"
fi
/usr/bin/python3 "$repo/scripts/ablation_table.py" "$out" "$steps" > "$out/ablation.md.tmp"
mv "$out/ablation.md.tmp" "$out/ablation.md"
cat "$out/ablation.md"
