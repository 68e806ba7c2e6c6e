#!/usr/bin/env python3
"""Reads PostRvq files with NumPy alone: latent sets, quantizers and .codes files (layouts in docs/formats.md).

Every reader verifies the file's SHA-256 and refuses a file that fails it. decode() turns codes back into the
quantized latents for the residual kinds (rvq, rvq-beam, srvq, srvq-stage, gs-srvq), vq and pq, with the arithmetic of the C#
quantizers: the stage centroids summed in float32, then the standardization undone.

    python3 scripts/python/postrvq_io.py info FILE_OR_FOLDER
    python3 scripts/python/postrvq_io.py decode CODES QUANTIZER --out latents.npy   # frames [T, D] float32
"""

import argparse
import hashlib
import json
import os
import struct
import sys

import numpy as np

SAFETENSORS_DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}
# TorchSharp's ScalarType numbers, which the first quantizer format and the quantizer id bytes store.
TORCH_DTYPES = {6: np.float32, 7: np.float64, 4: np.int64}
TORCH_CODES = {np.dtype(v): k for k, v in TORCH_DTYPES.items()}

LEGACY_QUANTIZER_MAGIC = b"PRVQQUAN"
CODES_MAGIC = b"PRVQCODE"
HASH_BYTES = 32


class FormatError(Exception):
    """A file that is not what it claims, truncated or corrupt; the message names the file."""


def sha256(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


# ---------------------------------------------------------------- safetensors

def read_safetensors(path):
    """Returns (tensors: name -> ndarray in header order, metadata: str -> str, raw: name -> bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise FormatError(f"{path}: not a safetensors file (shorter than its 8-byte header length)")
    (length,) = struct.unpack_from("<Q", data, 0)
    if length < 2 or 8 + length > len(data):
        raise FormatError(f"{path}: not a safetensors file or truncated (header length {length})")
    try:
        header = json.loads(data[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FormatError(f"{path}: the safetensors header is malformed: {e}") from e
    metadata = header.pop("__metadata__", {}) or {}
    body = memoryview(data)[8 + length:]
    tensors, raw = {}, {}
    for name, entry in header.items():
        dtype = SAFETENSORS_DTYPES.get(entry["dtype"])
        if dtype is None:
            raise FormatError(f"{path}: tensor '{name}' has dtype {entry['dtype']}; F32, F64, I32 and I64 are read")
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        if end > len(body) or end - begin != int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize:
            raise FormatError(f"{path}: tensor '{name}' is truncated or does not match its shape {list(shape)}")
        raw[name] = bytes(body[begin:end])
        tensors[name] = np.frombuffer(raw[name], dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)
    return tensors, metadata, raw


# ---------------------------------------------------------------- latent sets

def read_latent_set(path):
    """A latent set folder (or its latents.safetensors): frames [N, D] float32, clip ids and frame counts, metadata."""
    file = os.path.join(path, "latents.safetensors") if os.path.isdir(path) else path
    tensors, meta, raw = read_safetensors(file)
    if meta.get("format") != "postrvq-latents":
        raise FormatError(f"{file}: not a PostRvq latent set (format {meta.get('format')!r})")
    if meta.get("format_version") != "1":
        raise FormatError(f"{file}: latent set format version {meta.get('format_version')} is not supported (this reader reads 1)")
    if sha256(raw["frames"]) != meta.get("frames_sha256"):
        raise FormatError(f"{file}: the frames do not match their SHA-256: the file is corrupt")
    return {
        "frames": tensors["frames"],
        "clip_frames": tensors["clip_frames"],
        "clip_ids": json.loads(meta["clip_ids"]),
        "frame_rate": float(meta["frame_rate"]),
        "sample_rate": int(meta["sample_rate"]),
        "model_id": meta.get("model_id", ""),
        "metadata": meta,
    }


# ---------------------------------------------------------------- quantizers

def _dotnet_string(text):
    """A string as .NET's BinaryWriter writes it: UTF-8 bytes after their length in 7-bit groups."""
    data = text.encode("utf-8")
    n, prefix = len(data), bytearray()
    while n >= 0x80:
        prefix.append((n & 0x7F) | 0x80)
        n >>= 7
    prefix.append(n)
    return bytes(prefix) + data


def _read_dotnet_string(data, at):
    n = shift = 0
    while True:
        byte = data[at]
        at += 1
        n |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return data[at:at + n].decode("utf-8"), at + n


def quantizer_state_bytes(header_json, tensors):
    """The bytes a quantizer's id is the SHA-256 of: its JSON header, then each tensor as dtype, rank, shape and data."""
    parts = [_dotnet_string(header_json)]
    for name in json.loads(header_json)["tensors"]:
        value = np.ascontiguousarray(tensors[name])
        parts.append(struct.pack("<iq", TORCH_CODES[value.dtype], value.ndim))
        parts.append(struct.pack(f"<{value.ndim}q", *value.shape))
        parts.append(value.astype(value.dtype.newbyteorder("<"), copy=False).tobytes())
    return b"".join(parts)


def _read_legacy_quantizer(path, data):
    if len(data) < 12 + HASH_BYTES or sha256(data[:-HASH_BYTES]) != data[-HASH_BYTES:].hex():
        raise FormatError(f"{path}: the quantizer file is truncated or corrupt (SHA-256 mismatch)")
    header_json, at = _read_dotnet_string(data, 12)
    tensors = {}
    for name in json.loads(header_json)["tensors"]:
        code, rank = struct.unpack_from("<iq", data, at)
        shape = struct.unpack_from(f"<{rank}q", data, at + 12)
        at += 12 + 8 * rank
        dtype = np.dtype(TORCH_DTYPES[code]).newbyteorder("<")
        count = int(np.prod(shape, dtype=np.int64))
        tensors[name] = np.frombuffer(data, dtype=dtype, count=count, offset=at).reshape(shape)
        at += count * dtype.itemsize
    return header_json, tensors


def read_quantizer(path):
    """A .quantizer file (safetensors, or the first PRVQQUAN format): kind, dimension, settings, provenance, tensors, id."""
    with open(path, "rb") as f:
        start = f.read(8)
    if start == LEGACY_QUANTIZER_MAGIC:
        with open(path, "rb") as f:
            header_json, tensors = _read_legacy_quantizer(path, f.read())
        file_format = "PRVQQUAN (first format)"
    else:
        tensors, meta, raw = read_safetensors(path)
        if meta.get("format") != "postrvq-quantizer":
            raise FormatError(f"{path}: not a PostRvq quantizer file (format {meta.get('format')!r})")
        if meta.get("format_version") != "2":
            raise FormatError(f"{path}: quantizer format version {meta.get('format_version')} is not supported (this reader reads 2)")
        header_json = meta["quantizer"]
        names = json.loads(header_json)["tensors"]
        if sorted(names) != sorted(tensors):
            raise FormatError(f"{path}: the header names tensors {names} but the file holds {list(tensors)}")
        if sha256(header_json.encode("utf-8"), *(raw[name] for name in names)) != meta.get("sha256"):
            raise FormatError(f"{path}: the quantizer file is truncated or corrupt (SHA-256 mismatch)")
        file_format = "safetensors"
    header = json.loads(header_json)
    return {
        "kind": header["kind"],
        "dimension": header["dimension"],
        "settings": header["settings"],
        "provenance": header.get("provenance") or {},
        "tensors": {name: tensors[name] for name in header["tensors"]},
        # The id .codes files name their quantizer by: the first 16 hex digits of the state bytes' SHA-256.
        "id": sha256(quantizer_state_bytes(header_json, tensors))[:16],
        "file_format": file_format,
    }


# ---------------------------------------------------------------- codes

def unpack_codes(packed, bits, frames):
    """Codes [T, nq] int64 from bytes packed least significant bit first, frame by frame, stream by stream."""
    per_frame = int(sum(bits))
    stream = np.unpackbits(np.frombuffer(packed, dtype=np.uint8), bitorder="little")[:frames * per_frame]
    stream = stream.reshape(frames, per_frame).astype(np.int64)
    codes = np.zeros((frames, len(bits)), dtype=np.int64)
    offset = 0
    for q, width in enumerate(bits):
        weights = np.left_shift(np.int64(1), np.arange(width, dtype=np.int64))
        codes[:, q] = stream[:, offset:offset + width] @ weights if width else 0
        offset += width
    return codes


def read_codes(path):
    """A .codes file: header fields and codes [T, nq] int64."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != CODES_MAGIC:
        raise FormatError(f"{path}: not a PostRvq codes file (it does not start with 'PRVQCODE')")
    fixed = 8 + 4 + 4 + 8 + 8 + 8 + 4 + 16
    if len(data) < fixed:
        raise FormatError(f"{path}: the codes file is truncated ({len(data)} bytes)")
    version, sample_rate, sample_length, frame_rate, frames, codebooks = struct.unpack_from("<iiqdqi", data, 8)
    if version != 1:
        raise FormatError(f"{path}: codes format version {version} is not supported (this reader reads 1)")
    at = 8 + struct.calcsize("<iiqdqi")
    bits = list(data[at:at + codebooks])
    at += codebooks
    model_id, quantizer_id = data[at:at + 8].hex(), data[at + 8:at + 16].hex()
    at += 16
    packed_bytes = (frames * sum(bits) + 7) // 8
    if len(data) != at + packed_bytes + HASH_BYTES:
        raise FormatError(f"{path}: the codes file has {len(data)} bytes; its header says {at + packed_bytes + HASH_BYTES}")
    if sha256(data[:-HASH_BYTES]) != data[-HASH_BYTES:].hex():
        raise FormatError(f"{path}: the codes file is corrupt (SHA-256 mismatch)")
    return {
        "sample_rate": sample_rate,
        "sample_length": sample_length,
        "frame_rate": frame_rate,
        "frames": frames,
        "bits": bits,
        "model_id": model_id,
        "quantizer_id": quantizer_id,
        "codes": unpack_codes(data[at:at + packed_bytes], bits, frames),
    }


# ---------------------------------------------------------------- decoding

def decode(codes, quantizer):
    """Codes [T, nq] (the first nq stages of the quantizer) -> quantized latent frames [T, D] float32."""
    kind, tensors = quantizer["kind"], quantizer["tensors"]
    stages = codes.shape[1]
    frames = np.zeros((codes.shape[0], quantizer["dimension"]), dtype=np.float32)
    if kind in ("rvq", "rvq-beam", "srvq"):
        for s in range(stages):
            frames += tensors[f"codebook.{s}"][codes[:, s]]
        if kind == "srvq":
            # The RVQ runs on z-scored latents: x = z * std + mean.
            frames = frames * tensors["std"] + tensors["mean"]
        return frames
    if kind == "gs-srvq":
        # Stream 0 is the frame's norm on a uniform log scale; the others a standardized RVQ of the frame over that norm.
        settings = quantizer["settings"]
        gains = np.exp(codes[:, 0].astype(np.float64) * settings["gainStepLog"] + settings["gainLowLog"]).astype(np.float32)
        if stages == 1:
            shapes = np.repeat(tensors["meanShape"][None, :], codes.shape[0], axis=0).astype(np.float32)
        else:
            shapes = np.zeros_like(frames)
            for s in range(stages - 1):
                shapes += tensors[f"codebook.{s}"][codes[:, s + 1]]
            shapes = shapes * tensors["std"] + tensors["mean"]
        return (shapes * gains[:, None]).astype(np.float32)
    if kind == "srvq-stage":
        # Every stage z-scored its own residual, so every centroid is de-standardized before it is added.
        for s in range(stages):
            frames += tensors[f"codebook.{s}"][codes[:, s]] * tensors[f"std.{s}"] + tensors[f"mean.{s}"]
        return frames
    if kind == "vq":
        return np.array(tensors["codebook"][codes[:, 0]], dtype=np.float32)
    if kind == "pq":
        # One codebook per group of consecutive dimensions; the groups' centroids side by side.
        return np.concatenate([tensors[f"codebook.{g}"][codes[:, g]] for g in range(stages)], axis=1).astype(np.float32)
    raise ValueError(f"decoding {kind} quantizers is not implemented here (rvq, rvq-beam, srvq, srvq-stage, gs-srvq, vq and pq are)")


def decode_file(codes_path, quantizer_path):
    codes, quantizer = read_codes(codes_path), read_quantizer(quantizer_path)
    if codes["quantizer_id"] != quantizer["id"]:
        raise FormatError(f"{codes_path}: the codes were made with quantizer {codes['quantizer_id']}, "
                          f"but {quantizer_path} is {quantizer['id']}")
    return decode(codes["codes"], quantizer)


# ---------------------------------------------------------------- command line

def describe(path):
    """A readable summary of any PostRvq file this module reads."""
    if os.path.isdir(path) or path.endswith("latents.safetensors"):
        s = read_latent_set(path)
        return (f"latent set: frames {list(s['frames'].shape)} float32, {len(s['clip_ids'])} clips, "
                f"{s['frame_rate']:g} frames/s at {s['sample_rate']} Hz, model {s['model_id'] or '?'}; SHA-256 verified")
    with open(path, "rb") as f:
        start = f.read(8)
    if start == CODES_MAGIC:
        c = read_codes(path)
        return (f"codes: {c['frames']} frames x {len(c['bits'])} streams ({'+'.join(map(str, c['bits']))} bits per frame) "
                f"at {c['frame_rate']:g} frames/s, {c['sample_length']} samples at {c['sample_rate']} Hz, "
                f"model {c['model_id']}, quantizer {c['quantizer_id']}; SHA-256 verified")
    q = read_quantizer(path)
    shapes = ", ".join(f"{k} {list(v.shape)}" for k, v in list(q["tensors"].items())[:4])
    more = f", ... ({len(q['tensors'])} tensors)" if len(q["tensors"]) > 4 else ""
    return (f"quantizer ({q['file_format']}): {q['kind']}, dimension {q['dimension']}, settings {json.dumps(q['settings'])}, "
            f"provenance {json.dumps(q['provenance'])}, id {q['id']}; tensors {shapes}{more}; SHA-256 verified")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Read PostRvq latent sets, quantizers and .codes files with NumPy.")
    commands = parser.add_subparsers(dest="command", required=True)
    info = commands.add_parser("info", help="describe and verify a latent set (folder), .quantizer or .codes file")
    info.add_argument("file")
    dec = commands.add_parser("decode", help="decode a .codes file to latent frames [T, D] with its quantizer")
    dec.add_argument("codes")
    dec.add_argument("quantizer")
    dec.add_argument("--out", required=True, help="the .npy file to write")
    args = parser.parse_args(argv)
    try:
        if args.command == "info":
            print(describe(args.file))
        else:
            frames = decode_file(args.codes, args.quantizer)
            np.save(args.out, frames)
            print(f"Wrote {args.out}: frames {list(frames.shape)} float32")
    except (FormatError, ValueError, KeyError, OSError, struct.error) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
