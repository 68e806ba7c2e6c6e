using System.Buffers.Binary;
using CsCheck;

namespace PostRvq.Tests.Reliability;

/// <summary>
/// One change to a valid file's bytes, as the parser fuzzer generates it. Positions and values are raw draws,
/// reduced modulo the file's length when applied, so a case means the same thing for every file it meets.
/// </summary>
/// <param name="Kind">What the change does.</param>
/// <param name="Position">Where, before reduction modulo the length.</param>
/// <param name="Value">The byte, width or value index it uses.</param>
sealed record FileMutation(MutationKind Kind, uint Position, uint Value)
{
    // Values that sit on the edges parsers get wrong: zero, one, sign bits, all ones, the largest of each width.
    static readonly ulong[] Interesting =
    [
        0, 1, 2, 7, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF,
    ];

    static readonly int[] Widths = [1, 2, 4, 8];

    /// <summary>A mutation of any kind; <paramref name="fields"/> are offsets of the format's header fields.</summary>
    public static Gen<FileMutation> Gen(IReadOnlyList<int> fields) =>
        CsCheck.Gen.Select(CsCheck.Gen.Int[0, (int)MutationKind.Header], CsCheck.Gen.UInt, CsCheck.Gen.UInt, CsCheck.Gen.Bool, (kind, position, value, atField) =>
            new FileMutation((MutationKind)kind, atField && fields.Count > 0 && (MutationKind)kind == MutationKind.SetField
                ? (uint)fields[(int)(position % (uint)fields.Count)]
                : position, value));

    /// <summary>The mutated bytes; <paramref name="editHeader"/> rewrites a header field of a structured header.</summary>
    public byte[] Apply(byte[] bytes, Func<byte[], uint, uint, byte[]> editHeader)
    {
        if (bytes.Length == 0) return bytes;
        var at = (int)(Position % (uint)bytes.Length);
        var copy = (byte[])bytes.Clone();
        switch (Kind)
        {
            case MutationKind.Truncate:
                return bytes[..at];
            case MutationKind.FlipBit:
                copy[at] ^= (byte)(1 << (int)(Value % 8));
                return copy;
            case MutationKind.SetByte:
                copy[at] = (byte)(Value % 2 == 0 ? Interesting[Value / 2 % (uint)Interesting.Length] : Value >> 8);
                return copy;
            case MutationKind.SetField:
                var width = Widths[Value % (uint)Widths.Length];
                var field = Interesting[Value / 4 % (uint)Interesting.Length];
                if (at + width > copy.Length) return copy;
                Span<byte> le = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(le, field);
                le[..width].CopyTo(copy.AsSpan(at));
                return copy;
            case MutationKind.Delete:
                var count = (int)Math.Min(1 + Value % 16, bytes.Length - at);
                return [.. bytes[..at], .. bytes[(at + count)..]];
            case MutationKind.Insert:
                var inserted = Enumerable.Repeat((byte)(Value >> 8), 1 + (int)(Value % 16));
                return [.. bytes[..at], .. inserted, .. bytes[at..]];
            default:
                return editHeader(bytes, Position, Value);
        }
    }

    public override string ToString() => $"{Kind}({Position}, {Value})";
}

/// <summary>The kinds of <see cref="FileMutation"/>.</summary>
enum MutationKind
{
    Truncate,
    FlipBit,
    SetByte,
    SetField,
    Delete,
    Insert,
    /// <summary>A field of the format's own header (a JSON value, an .npy dict entry) replaced by an edge value.</summary>
    Header,
}
