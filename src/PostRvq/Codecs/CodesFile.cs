using System.Security.Cryptography;
using System.Text;
using PostRvq.IO;

namespace PostRvq.Codecs;

/// <summary>
/// The <c>.codes</c> file: a clip as bit-packed codes, and nothing a decoder could mistake. Little-endian layout:
/// magic "PRVQCODE" (8 bytes), format version (int32), sample rate (int32), sample length (int64), frame rate
/// (float64), frames T (int64), codebooks nq (int32), nq bytes of bits per stream, model id (8 bytes), quantizer id
/// (8 bytes), the codes packed by <see cref="BitPacking"/> (⌈T · Σ bits / 8⌉ bytes), and the SHA-256 of all
/// that. So a file costs <see cref="OverheadBytes"/> plus exactly its bitrate times its duration. It holds one
/// mono clip and does no entropy coding.
/// </summary>
public static class CodesFile
{
    public const string Extension = ".codes";

    /// <summary>The newest layout this PostRvq writes and reads.</summary>
    public const int FormatVersion = 1;

    const string Magic = "PRVQCODE";
    const int IdBytes = 8;
    const int HashBytes = 32;
    // A sanity bound that keeps a corrupt count from allocating; real codecs use at most a few dozen streams.
    const int MaxCodebooks = 4096;
    const int FixedHeaderBytes = 8 + 4 + 4 + 8 + 8 + 8 + 4 + 2 * IdBytes;

    /// <summary>Header and checksum bytes of a file with <paramref name="codebooks"/> streams: 92 + nq.</summary>
    public static int OverheadBytes(int codebooks) => FixedHeaderBytes + codebooks + HashBytes;

    /// <summary>Writes <paramref name="codes"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, EncodedAudio codes)
    {
        var bytes = ToBytes(codes);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <exception cref="InvalidDataException">Missing, foreign, newer, truncated or corrupt; the message names the file.</exception>
    public static EncodedAudio Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such codes file");
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>The file's bytes.</summary>
    /// <exception cref="ArgumentException">The codes are inconsistent (lengths, widths, ids or out-of-range codes).</exception>
    public static byte[] ToBytes(EncodedAudio codes)
    {
        Validate(codes);
        var packed = BitPacking.Pack(codes.Codes, codes.Bits);
        using var buffer = new MemoryStream(OverheadBytes(codes.Codebooks) + packed.Length);
        using (var writer = new BinaryWriter(buffer, Encoding.ASCII, leaveOpen: true))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(FormatVersion);
            writer.Write(codes.SampleRate);
            writer.Write(codes.SampleLength);
            writer.Write(codes.FrameRate);
            writer.Write(codes.Frames);
            writer.Write(codes.Codebooks);
            foreach (var width in codes.Bits) writer.Write((byte)width);
            writer.Write(Convert.FromHexString(codes.ModelId));
            writer.Write(Convert.FromHexString(codes.QuantizerId));
            writer.Write(packed);
        }
        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        return buffer.ToArray();
    }

    /// <summary>Reads a file's bytes; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">Foreign, newer, truncated or corrupt.</exception>
    public static EncodedAudio FromBytes(byte[] bytes, string source)
    {
        if (bytes.Length == 0) throw new InvalidDataException($"{source}: the codes file is empty");
        var magic = Encoding.ASCII.GetBytes(Magic);
        var shown = Math.Min(bytes.Length, magic.Length);
        if (!bytes.AsSpan(0, shown).SequenceEqual(magic.AsSpan(0, shown)))
            throw new InvalidDataException($"{source}: not a PostRvq codes file (it does not start with '{Magic}')");
        if (bytes.Length < magic.Length + 4) throw Truncated(source, bytes.Length, FixedHeaderBytes);
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.ASCII);
        reader.BaseStream.Position = magic.Length;
        // The version comes before anything else: a newer layout may put every other field elsewhere.
        var version = reader.ReadInt32();
        if (version > FormatVersion)
            throw new InvalidDataException(
                $"{source}: written by a newer PostRvq (codes format version {version}; this PostRvq reads up to version {FormatVersion}); upgrade PostRvq to decode it");
        if (version < 1) throw new InvalidDataException($"{source}: the codes file is corrupt (format version {version})");
        if (bytes.Length < FixedHeaderBytes) throw Truncated(source, bytes.Length, FixedHeaderBytes);
        var sampleRate = reader.ReadInt32();
        var sampleLength = reader.ReadInt64();
        var frameRate = reader.ReadDouble();
        var frames = reader.ReadInt64();
        var codebooks = reader.ReadInt32();
        if (codebooks is < 1 or > MaxCodebooks || frames is < 0 or > int.MaxValue)
            throw new InvalidDataException($"{source}: the codes file is corrupt ({codebooks} streams of {frames} frames)");
        if (bytes.Length < OverheadBytes(codebooks)) throw Truncated(source, bytes.Length, OverheadBytes(codebooks));
        var bits = reader.ReadBytes(codebooks).Select(b => (int)b).ToArray();
        if (bits.Max() > BitPacking.MaxBits)
            throw new InvalidDataException($"{source}: the codes file is corrupt (a stream of {bits.Max()} bits)");
        var packedBytes = BitPacking.PackedBytes(frames, bits);
        var expected = OverheadBytes(codebooks) + packedBytes;
        if (bytes.Length < expected) throw Truncated(source, bytes.Length, expected);
        if (!SHA256.HashData(bytes.AsSpan(0, bytes.Length - HashBytes)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashBytes)))
            throw new InvalidDataException($"{source}: the codes file is corrupt (SHA-256 mismatch)");
        if (bytes.Length > expected)
            throw new InvalidDataException($"{source}: the codes file has {bytes.Length - expected} unexpected bytes after its codes");
        var modelId = Convert.ToHexStringLower(reader.ReadBytes(IdBytes));
        var quantizerId = Convert.ToHexStringLower(reader.ReadBytes(IdBytes));
        var result = new EncodedAudio
        {
            SampleRate = sampleRate,
            SampleLength = sampleLength,
            FrameRate = frameRate,
            Bits = bits,
            ModelId = modelId,
            QuantizerId = quantizerId,
            Codes = BitPacking.Unpack(reader.ReadBytes((int)packedBytes), bits, frames),
        };
        try
        {
            Validate(result);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: the codes file is inconsistent: {e.Message}", e);
        }
        return result;
    }

    static InvalidDataException Truncated(string source, long length, long expected) =>
        new($"{source}: the codes file is truncated ({length} bytes; its header needs {expected})");

    static void Validate(EncodedAudio codes)
    {
        if (codes.SampleRate < 1) throw new ArgumentException($"The sample rate must be positive, got {codes.SampleRate}.", nameof(codes));
        if (codes.SampleLength is < 0 or > int.MaxValue)
            throw new ArgumentException($"The sample length must be 0 to {int.MaxValue}, got {codes.SampleLength}.", nameof(codes));
        if (!(codes.FrameRate > 0) || !double.IsFinite(codes.FrameRate))
            throw new ArgumentException($"The frame rate must be positive, got {codes.FrameRate}.", nameof(codes));
        if (codes.Codebooks is < 1 or > MaxCodebooks || codes.Codes.Length % codes.Codebooks != 0)
            throw new ArgumentException($"{codes.Codes.Length} codes do not make whole frames of {codes.Codebooks} streams.", nameof(codes));
        foreach (var id in new[] { codes.ModelId, codes.QuantizerId })
            if (id is null || id.Length != 2 * IdBytes || !id.All(char.IsAsciiHexDigitLower))
                throw new ArgumentException($"Ids are {2 * IdBytes} lower-case hex digits, got '{id}'.", nameof(codes));
    }
}
