"""Decoding, measuring and writing 24 kHz mono 16-bit audio with the standard library and ffmpeg/fluidsynth."""

import json
import math
import os
import re
import subprocess
import sys
import wave
from array import array

SAMPLE_RATE = 24000
FULL_SCALE = 32768.0
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"


class DecodeError(Exception):
    pass


def render_midi(midi: str, cache_dir: str) -> str:
    """Renders a MIDI file once to a 24 kHz WAV in cache_dir (reused afterwards) and returns its path."""
    os.makedirs(cache_dir, exist_ok=True)
    target = os.path.join(cache_dir, os.path.splitext(os.path.basename(midi))[0] + ".wav")
    if os.path.exists(target):
        return target
    partial = target + ".partial.wav"
    result = subprocess.run(
        ["fluidsynth", "-ni", "-g", "0.6", "-r", str(SAMPLE_RATE), "-F", partial, SOUNDFONT, midi],
        stdin=subprocess.DEVNULL, capture_output=True)
    if result.returncode != 0 or not os.path.exists(partial):
        raise DecodeError(f"fluidsynth failed ({result.returncode}): {result.stderr.decode(errors='replace')[-300:]}")
    os.replace(partial, target)
    return target


def decode(file: str, max_seconds: float):
    """Decodes the first max_seconds of a file to 24 kHz mono int16; returns (samples, source sample rate)."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-i", file, "-map", "0:a:0", "-t", str(max_seconds),
         "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"],
        stdin=subprocess.DEVNULL, capture_output=True)
    log = result.stderr.decode(errors="replace")
    if result.returncode != 0:
        raise DecodeError(f"ffmpeg exit {result.returncode}: {log.strip().splitlines()[-1] if log.strip() else ''}")
    rate = re.search(r"Stream #0:\d+.*?: Audio: [^\n]*?(\d+) Hz", log)
    samples = array("h")
    samples.frombytes(result.stdout[: len(result.stdout) // 2 * 2])
    if len(samples) == 0:
        raise DecodeError("no audio samples decoded")
    return samples, int(rate.group(1)) if rate else 0


def decode_cached(file: str, max_seconds: float, cache_dir: str, key: str):
    """decode(), keeping the result in cache_dir under key, so that an interrupted build resumes quickly."""
    pcm = os.path.join(cache_dir, f"{key}-{max_seconds:g}s.pcm")
    info = pcm[:-4] + ".json"
    if os.path.exists(info):
        samples = array("h")
        with open(pcm, "rb") as stored:
            samples.frombytes(stored.read())
        if sys.byteorder == "big":
            samples.byteswap()
        with open(info, encoding="utf-8") as stored:
            return samples, json.load(stored)["source_sample_rate"]
    samples, rate = decode(file, max_seconds)
    os.makedirs(cache_dir, exist_ok=True)
    stored = array("h", samples)
    if sys.byteorder == "big":
        stored.byteswap()
    with open(pcm + ".partial", "wb") as out:
        out.write(stored.tobytes())
    os.replace(pcm + ".partial", pcm)
    with open(info + ".partial", "w", encoding="utf-8") as out:
        json.dump({"source_sample_rate": rate}, out)
    os.replace(info + ".partial", info)
    return samples, rate


def rms_dbfs(samples) -> float:
    if len(samples) == 0:
        return -math.inf
    energy = sum(x * x for x in samples) / len(samples)
    return 10 * math.log10(energy / (FULL_SCALE * FULL_SCALE)) if energy > 0 else -math.inf


def trim_silence(samples, below_peak_db: float = 40.0, margin: int = SAMPLE_RATE // 20):
    """Drops the edges quieter than below_peak_db under the clip's peak (and under -60 dBFS), keeping a margin."""
    if len(samples) == 0:
        return samples
    threshold = max(33, max(abs(x) for x in samples) * 10 ** (-below_peak_db / 20))
    start, end = 0, len(samples)
    while start < end and abs(samples[start]) < threshold:
        start += 1
    while end > start and abs(samples[end - 1]) < threshold:
        end -= 1
    if start == end:
        return samples[0:0]
    return samples[max(0, start - margin):min(len(samples), end + margin)]


def write_wav(path: str, samples) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        if sys.byteorder == "big":
            samples = array("h", samples)
            samples.byteswap()
        out.writeframes(samples.tobytes())
