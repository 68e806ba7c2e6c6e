"""Writes the ablation's Markdown table from the run folders that scripts/ablation.sh leaves.

Usage: ablation_table.py OUT STEPS
Each run folder holds log.jsonl (validation rows), seconds (training wall time) and test.json (test-split means).
"""
import json
import sys
from pathlib import Path

VARIANTS = [
    ("recipe", "tiny-cpu recipe: MDCT family, PCA start, mel + STFT + sample L1 + MDCT L1, no discriminators"),
    ("no-linear-init", "random start instead of the PCA codec"),
    ("no-phase-loss", "no sample or MDCT L1 terms (mel + STFT only)"),
    ("adversarial", "discriminators from step 0"),
    ("waveform-family", "DAC-style waveform encoder/decoder (tiny-cpu-waveform) with the recipe's losses and schedule"),
]


def metric(means, name):
    lowered = {k.lower(): v for k, v in means.items()}
    return lowered[name.lower()]


def last_validation(log_path):
    rows = [json.loads(line) for line in log_path.read_text().splitlines() if '"kind":"valid"' in line]
    return rows[-1] if rows else None


def last_step(log_path):
    if not log_path.exists():
        return 0
    steps = [json.loads(line).get("step", 0) for line in log_path.read_text().splitlines() if line.strip()]
    return max(steps, default=0)


def row(label, change, means, valid, minutes):
    valid_mel = f"{valid['mel']:.3f}" if valid else "–"
    valid_sisdr = f"{valid['si_sdr']:.1f}" if valid else "–"
    wall = f"{minutes:.0f}" if minutes is not None else "–"
    return (f"| {label} | {change} | {wall} | {valid_mel} | {valid_sisdr} | {metric(means, 'mel'):.3f} | "
            f"{metric(means, 'stft'):.3f} | {metric(means, 'sisdr'):.2f} | {metric(means, 'snr'):.2f} |")


def main():
    out, steps = Path(sys.argv[1]), int(sys.argv[2])
    print(f"Every run: {steps} steps, batch 8 x 1 s, the same corpus and seed; valid = the last validation during "
          "training, test = the corpus test split at the end.\n")
    print("| run | what changes | wall min | valid mel | valid SI-SDR dB | test mel | test STFT | test SI-SDR dB | test SNR dB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    anchor = out / "pca-anchor.json"
    if anchor.exists():
        print(row("PCA anchor", "the linear codec every MDCT run with a PCA start begins from (step 0)",
                  json.load(anchor.open())["mean"], None, None))
    for name, change in VARIANTS:
        run = out / name
        test = run / "test.json"
        if not test.exists():
            steps_done = last_step(run / "log.jsonl")
            status = f"not finished (step {steps_done} of {steps})" if steps_done else "not run"
            print(f"| {name} | {change} | {status} | | | | | | |")
            continue
        seconds = run / "seconds"
        minutes = int(seconds.read_text()) / 60 if seconds.exists() else None
        print(row(name, change, json.load(test.open())["mean"], last_validation(run / "log.jsonl"), minutes))


if __name__ == "__main__":
    main()
