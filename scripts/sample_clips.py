"""Builds the tiny committed set: 30 clips of 3 s, 24 kHz mono 16-bit, peak-normalised to -1 dBFS.

Usage: sample_clips.py CACHE_DIR OUT_DIR

Each clip is the loudest 3 s of one source (shorter sources are padded with silence at the end);
the ktuberling clips are sequences of words from one language folder with 0.25 s gaps.
Writes OUT_DIR/{train,valid,test}/CATEGORY/*.wav, OUT_DIR/manifest.jsonl (the corpus schema) and
OUT_DIR/CLIPS.md (attribution).
"""

import hashlib
import json
import os
import shutil
import sys
from array import array

from corpus_audio import SAMPLE_RATE, decode, rms_dbfs, trim_silence, write_wav
from corpus_sources import FREEDESKTOP, PIANO_NPM, find_sources, slugify

CLIP = 3 * SAMPLE_RATE
GAP = SAMPLE_RATE // 4
WINDOW_STEP = SAMPLE_RATE // 100
WORDS_TRIED = 12
PEAK = round(32767 * 10 ** (-1 / 20))
SONIC_PI = "/usr/share/sonic-pi/samples"
KTUBERLING = "/usr/share/ktuberling/sounds"

# (name, source path): each gives its loudest 3 s.
SELECTION = (
    *((f"loop-{n}", f"{SONIC_PI}/loop_{n}.flac") for n in ("amen_full", "compus", "garzul", "mika", "safari", "tabla")),
    *((n, f"{SONIC_PI}/{n}.flac") for n in ("guit_em9", "guit_e_fifths", "bass_voxy_c", "drum_roll")),
    *((n, f"npm:{PIANO_NPM}/audio/{n}v10.ogg") for n in ("A2", "C5")),
    *((n, f"{SONIC_PI}/{n}.flac") for n in
      ("misc_cineboom", "misc_crow", "ambi_lunar_land", "ambi_dark_woosh", "vinyl_rewind", "vinyl_backspin", "perc_till")),
    *((n, f"{FREEDESKTOP}/{n}.oga") for n in ("bell", "complete", "trash-empty", "dialog-information")),
    *((f"audio-channel-{n}", f"{FREEDESKTOP}/audio-channel-{n}.oga") for n in ("front-left", "front-right", "rear-left", "side-right")),
)
# (name, folder): words from the folder in path order, as many as fit in 3 s.
WORD_SEQUENCES = tuple((f"words-{lang}", f"{KTUBERLING}/{lang}") for lang in ("en", "de", "da"))


def loudest_window(samples):
    """The CLIP-long window with the most energy, searched in 10 ms steps; shorter audio is padded."""
    if len(samples) <= CLIP:
        return samples + array("h", bytes(2 * (CLIP - len(samples))))
    prefix = [0]
    for x in samples:
        prefix.append(prefix[-1] + x * x)
    best = max(range(0, len(samples) - CLIP + 1, WINDOW_STEP), key=lambda s: (prefix[s + CLIP] - prefix[s], -s))
    return samples[best:best + CLIP]


def word_sequence(sources):
    """Trimmed words with 0.25 s gaps, filling CLIP from the first WORDS_TRIED words (skipping any that no
    longer fit), padded to CLIP; returns (samples, lowest source rate, words used)."""
    joined, used, rates = array("h"), [], []
    for source in sources[:WORDS_TRIED]:
        samples, rate = decode(source.file, 40.0)
        word = trim_silence(samples, below_peak_db=30.0)
        if len(joined) + len(word) + (GAP if used else 0) > CLIP:
            continue
        if used:
            joined.extend(array("h", bytes(2 * GAP)))
        joined.extend(word)
        used.append(source)
        rates.append(rate)
    return loudest_window(joined), min(rates), used


def normalise(samples):
    peak = max(abs(x) for x in samples)
    return array("h", (max(-32768, min(32767, round(x * PEAK / peak))) for x in samples))


def assign_splits(clips):
    """20/5/5 by position after sorting by category and source hash, so each split mixes categories."""
    ordered = sorted(clips, key=lambda c: (c["category"], hashlib.md5(c["source"].encode()).hexdigest()))
    for index, clip in enumerate(ordered):
        clip["split"] = ("train", "train", "train", "train", "valid", "test")[index % 6]
        clip["path"] = f"{clip['split']}/{clip['id']}.wav"


def build(cache: str, out_dir: str) -> int:
    sources = find_sources(cache)
    by_path = {source.path: source for source in sources}
    chosen = []
    for name, path in SELECTION:
        samples, rate = decode(by_path[path].file, 40.0)
        chosen.append((name, loudest_window(samples), rate, [by_path[path]]))
    for name, folder in WORD_SEQUENCES:
        chosen.append((name, *word_sequence([source for source in sources if source.folder == folder])))
    clips = []
    for name, samples, rate, used in chosen:
        rule = used[0].rule
        clips.append({
            "id": f"{rule.category}/{rule.tag}-{slugify(name)}", "category": rule.category,
            "licence": rule.licence, "package": rule.package, "source": " + ".join(s.path for s in used),
            "source_sample_rate": rate, "duration": CLIP / SAMPLE_RATE, "samples": normalise(samples)})
    assign_splits(clips)
    for split in ("train", "valid", "test"):
        shutil.rmtree(os.path.join(out_dir, split), ignore_errors=True)
    fields = ("id", "path", "split", "category", "licence", "package", "source", "source_sample_rate", "duration")
    with open(os.path.join(out_dir, "manifest.jsonl"), "w", encoding="utf-8") as manifest:
        for clip in sorted(clips, key=lambda c: c["path"]):
            write_wav(os.path.join(out_dir, clip["path"]), clip["samples"])
            entry = {field: clip[field] for field in fields}
            manifest.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
            print(f"{clip['path']:55s} {rms_dbfs(clip['samples']):6.1f} dBFS rms  {clip['source']}")
    write_attribution(sorted(clips, key=lambda c: c["path"]), os.path.join(out_dir, "CLIPS.md"))
    return 0


def write_attribution(clips, path: str) -> None:
    lines = [
        "# Sample clips and their sources",
        "",
        "Generated by `scripts/build-samples.sh`. Each clip is 3 s of 24 kHz mono 16-bit PCM, peak-normalised",
        "to -1 dBFS, cut from the file named here (installed path of the Debian package, or the path inside",
        "the npm package). Licences were read from each package's copyright file; the piano samples are the",
        "Salamander Grand Piano V3 by Alexander Holm (CC-BY-3.0), packaged on npm by Jan Forst.",
        "",
        "| clip | split | category | source file(s) | package | licence |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for clip in clips:
        package = f"npm `{PIANO_NPM}`" if clip["package"].startswith("@") else f"Debian `{clip['package']}`"
        sources = "<br>".join(f"`{s}`" for s in clip["source"].split(" + "))
        lines.append(f"| `{clip['path']}` | {clip['split']} | {clip['category']} | {sources} | {package} | {clip['licence']} |")
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(build(sys.argv[1], sys.argv[2]))
