"""Builds the training corpus: 10 s segments of 24 kHz mono 16-bit audio plus manifest.jsonl.

Usage: corpus_segments.py CACHE_DIR OUT_DIR

Recipe (data/README.md, "How the corpus is cut"; the per-source cap was raised from 40 s to 60 s to take
more of the long music tracks): at most 60 s per source; long files cut into 10 s segments; clips
shorter than 4 s joined per folder into ~10 s segments with 0.25 s gaps; segments quieter than
-55 dBFS dropped; a final leftover shorter than 2 s dropped. Train/valid/test are split 80/10/10 by
the md5 of the source path, and clips are only joined with clips of the same split.
"""

import hashlib
import json
import os
import shutil
import sys
from array import array
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from corpus_audio import SAMPLE_RATE, DecodeError, decode_cached, render_midi, rms_dbfs, trim_silence, write_wav
from corpus_sources import find_sources

MAX_SOURCE_SECONDS = 60.0
SEGMENT = 10 * SAMPLE_RATE
SHORT_CLIP = 4 * SAMPLE_RATE
MIN_SEGMENT = 2 * SAMPLE_RATE
GAP = array("h", bytes(2 * SAMPLE_RATE // 4))
SILENCE_DBFS = -55.0
SPLITS = ("train", "valid", "test")
WORKERS = 2


def split_of(source_path: str) -> str:
    bucket = int(hashlib.md5(source_path.encode("utf-8")).hexdigest(), 16) % 100
    return "train" if bucket < 80 else "valid" if bucket < 90 else "test"


def load(source, cache: str):
    """Returns (source, samples, sample rate, error) so that one bad file never stops the build."""
    try:
        midi = source.path.endswith(".mid")
        file = render_midi(source.file, os.path.join(cache, "midi")) if midi else source.file
        samples, rate = decode_cached(file, MAX_SOURCE_SECONDS, os.path.join(cache, "decoded"), source.digest)
        return source, samples, rate, None
    except (DecodeError, OSError) as error:
        return source, None, 0, str(error)


def cut_long(samples):
    """10 s pieces of one long file; a leftover shorter than MIN_SEGMENT is dropped."""
    pieces = [samples[start:start + SEGMENT] for start in range(0, len(samples), SEGMENT)]
    return [piece for piece in pieces if len(piece) >= MIN_SEGMENT]


def join_short(clips):
    """Packs (source, rate, samples) clips in order into segments of at most 10 s with 0.25 s gaps."""
    groups, current, length = [], [], 0
    for clip in clips:
        added = len(clip[2]) + (len(GAP) if current else 0)
        if current and length + added > SEGMENT:
            groups.append(current)
            current, length = [], 0
            added = len(clip[2])
        current.append(clip)
        length += added
    if current and length >= MIN_SEGMENT:
        groups.append(current)
    return groups


def concatenate(clips):
    joined = array("h")
    for index, (_, _, samples) in enumerate(clips):
        if index:
            joined.extend(GAP)
        joined.extend(samples)
    return joined


class CorpusWriter:
    def __init__(self, out_dir: str):
        self.out_dir = out_dir
        self.entries = []
        self.dropped_quiet = 0

    def add(self, segment_id: str, split: str, sources, rate: int, samples) -> None:
        if rms_dbfs(samples) < SILENCE_DBFS:
            self.dropped_quiet += 1
            return
        rule = sources[0].rule
        path = f"{split}/{segment_id}.wav"
        write_wav(os.path.join(self.out_dir, path), samples)
        self.entries.append({
            "id": segment_id, "path": path, "split": split, "category": rule.category,
            "licence": rule.licence, "package": rule.package,
            "source": " + ".join(s.path for s in sources), "source_sample_rate": rate,
            "duration": round(len(samples) / SAMPLE_RATE, 3)})


def build(cache: str, out_dir: str) -> int:
    staging = os.path.join(out_dir, ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    writer = CorpusWriter(staging)
    short, skipped = cut_sources(find_sources(cache), cache, writer)
    join_clips(short, writer)
    entries = sorted(writer.entries, key=lambda e: e["path"])
    write_manifest(entries, os.path.join(staging, "manifest.jsonl"))
    publish(staging, out_dir)
    report(entries, skipped, writer.dropped_quiet, out_dir)
    return 0


def cut_sources(sources, cache: str, writer: CorpusWriter):
    """Writes the segments of long sources; returns the short clips grouped for joining, and the skipped files."""
    short, skipped = defaultdict(list), []
    print(f"{len(sources)} source files", file=sys.stderr)
    with ThreadPoolExecutor(WORKERS) as pool:
        for done, (source, samples, rate, error) in enumerate(pool.map(lambda s: load(s, cache), sources), 1):
            if done % 250 == 0:
                print(f"  decoded {done}/{len(sources)}", file=sys.stderr)
            if error is not None:
                skipped.append((source.path, error))
                print(f"skipped {source.path}: {error}", file=sys.stderr)
                continue
            rule = source.rule
            if len(samples) >= SHORT_CLIP:
                for index, piece in enumerate(cut_long(samples)):
                    segment_id = f"{rule.category}/{rule.tag}-{source.slug}-{index:03d}"
                    writer.add(segment_id, split_of(source.path), [source], rate, piece)
                continue
            clip = trim_silence(samples)
            if len(clip) > 0 and rms_dbfs(clip) >= SILENCE_DBFS:
                short[(rule.package, rule.category, rule.licence, source.folder)].append((source, rate, clip))
    return short, skipped


def join_clips(short, writer: CorpusWriter) -> None:
    """Joins each group's clips split by split, so that a joined segment never mixes splits."""
    next_index = defaultdict(int)
    for key in sorted(short):
        clips = short[key]
        first = clips[0][0]
        stem = "-".join(part for part in (f"{first.rule.category}/{first.rule.tag}", first.folder_slug, "join") if part)
        for split in SPLITS:
            for group in join_short([clip for clip in clips if split_of(clip[0].path) == split]):
                sources = [clip[0] for clip in group]
                rate = min(clip[1] for clip in group)
                writer.add(f"{stem}-{next_index[stem]:03d}", split, sources, rate, concatenate(group))
                next_index[stem] += 1


def write_manifest(entries, path: str) -> None:
    ids = [entry["id"] for entry in entries]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate segment ids: " + ", ".join(sorted({i for i in ids if ids.count(i) > 1})))
    with open(path, "w", encoding="utf-8") as manifest:
        for entry in entries:
            manifest.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")


def publish(staging: str, out_dir: str) -> None:
    """Replaces the previous build's split folders and manifest with the staged ones."""
    for name in (*SPLITS, "manifest.jsonl"):
        old = os.path.join(out_dir, name)
        if os.path.isdir(old):
            shutil.rmtree(old)
        elif os.path.exists(old):
            os.remove(old)
        if os.path.exists(os.path.join(staging, name)):
            os.replace(os.path.join(staging, name), old)
    shutil.rmtree(staging)


def report(entries, skipped, dropped_quiet: int, out_dir: str) -> None:
    minutes = defaultdict(float)
    for entry in entries:
        minutes[("split", entry["split"])] += entry["duration"] / 60
        minutes[("category", entry["category"])] += entry["duration"] / 60
    size = sum(os.path.getsize(os.path.join(out_dir, e["path"])) for e in entries)
    print(f"\nCorpus in {out_dir}: {len(entries)} files, {sum(e['duration'] for e in entries) / 60:.1f} min, "
          f"{size / 1e6:.1f} MB; {dropped_quiet} segments dropped as quieter than {SILENCE_DBFS:.0f} dBFS")
    for kind in ("split", "category"):
        parts = sorted(((name, value) for (k, name), value in minutes.items() if k == kind),
                       key=lambda item: SPLITS.index(item[0]) if kind == "split" else -item[1])
        print(f"  minutes per {kind}: " + ", ".join(f"{name} {value:.1f}" for name, value in parts))
    print(f"  skipped {len(skipped)} files that could not be decoded" + (":" if skipped else ""))
    for path, error in skipped:
        print(f"    {path}: {error}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(build(sys.argv[1], sys.argv[2]))
