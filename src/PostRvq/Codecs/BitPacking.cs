namespace PostRvq.Codecs;

/// <summary>
/// Packs fixed-width codes into bytes with no padding between them: frame by frame, stream by stream, each code
/// in exactly its stream's bit width, least significant bit first (bit i of the stream is bit i % 8 of byte i / 8).
/// Codes are frame-major: code q of frame t sits at index t · nq + q. Widths are 0 to 32 bits; a 0-bit stream
/// (a codebook of one entry) costs nothing and always reads back as 0. It does no entropy coding.
/// </summary>
public static class BitPacking
{
    public const int MaxBits = 32;

    /// <summary>⌈log2(size)⌉: the bits that code any of <paramref name="size"/> entries.</summary>
    public static int BitsFor(long size)
    {
        if (size < 1 || size > 1L << MaxBits)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A codebook needs 1 to 2^{MaxBits} entries.");
        return size == 1 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(size - 1));
    }

    /// <summary>Bytes that <paramref name="frames"/> frames of codes in <paramref name="bits"/> widths take: ⌈frames · Σ bits / 8⌉.</summary>
    public static long PackedBytes(long frames, IReadOnlyList<int> bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        RequireWidths(bits);
        return checked((frames * bits.Sum() + 7) / 8);
    }

    /// <summary>Packs frame-major codes; each code of stream q must lie in [0, 2^bits[q]).</summary>
    public static byte[] Pack(ReadOnlySpan<long> codes, IReadOnlyList<int> bits)
    {
        RequireWidths(bits);
        var streams = bits.Count;
        if (streams == 0 || codes.Length % streams != 0)
            throw new ArgumentException($"{codes.Length} codes do not make whole frames of {streams} streams.", nameof(codes));
        var packed = new byte[PackedBytes(codes.Length / streams, bits)];
        var position = 0;
        // Pending bits wait in the low end of an accumulator: at most 7 left over plus one 32-bit code.
        ulong pending = 0;
        var pendingBits = 0;
        for (var i = 0; i < codes.Length; i++)
        {
            var width = bits[i % streams];
            var code = codes[i];
            if (code < 0 || (ulong)code >> width != 0)
                throw new ArgumentOutOfRangeException(nameof(codes), code, $"Code {i} (stream {i % streams}) does not fit in {width} bits.");
            pending |= (ulong)code << pendingBits;
            pendingBits += width;
            while (pendingBits >= 8)
            {
                packed[position++] = (byte)pending;
                pending >>= 8;
                pendingBits -= 8;
            }
        }
        if (pendingBits > 0) packed[position] = (byte)pending;
        return packed;
    }

    /// <summary>Reads <paramref name="frames"/> frames of frame-major codes packed by <see cref="Pack"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="packed"/> is not exactly <see cref="PackedBytes"/> long.</exception>
    public static long[] Unpack(ReadOnlySpan<byte> packed, IReadOnlyList<int> bits, long frames)
    {
        var expected = PackedBytes(frames, bits);
        if (packed.Length != expected)
            throw new ArgumentException($"{frames} frames need {expected} packed bytes, got {packed.Length}.", nameof(packed));
        var streams = bits.Count;
        var codes = new long[checked(frames * streams)];
        var position = 0;
        ulong pending = 0;
        var pendingBits = 0;
        for (var i = 0; i < codes.Length; i++)
        {
            var width = bits[i % streams];
            while (pendingBits < width)
            {
                pending |= (ulong)packed[position++] << pendingBits;
                pendingBits += 8;
            }
            codes[i] = (long)(pending & ((1UL << width) - 1));
            pending >>= width;
            pendingBits -= width;
        }
        return codes;
    }

    static void RequireWidths(IReadOnlyList<int> bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        foreach (var width in bits)
            if (width is < 0 or > MaxBits)
                throw new ArgumentOutOfRangeException(nameof(bits), width, $"Code widths are 0 to {MaxBits} bits.");
    }
}
