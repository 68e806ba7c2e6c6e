// The NumPy .npy format, version 1.0 (numpy/neps/nep-0001-npy-format).
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace PostRvq.IO;

/// <summary>
/// Reads and writes one tensor as a NumPy <c>.npy</c> file: the magic <c>\x93NUMPY</c>, version bytes, a little-endian
/// header length, an ASCII dict header (descr, fortran_order, shape) padded with spaces to a 64-byte boundary and
/// ended by a newline, then the raw C-order data. Writes version 1.0 byte-for-byte as <c>numpy.save</c> does.
/// Handles little-endian float32, float64, int32 and int64 ('&lt;f4', '&lt;f8', '&lt;i4', '&lt;i8'); it does not handle
/// Fortran order, big-endian data, structured dtypes or pickled objects.
/// </summary>
public static partial class NpyFile
{
    public const string Extension = ".npy";
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy aligns the data to 64 bytes so that it can be memory-mapped for any dtype.
    const int Alignment = 64;

    /// <summary>Writes <paramref name="value"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Tensor value) => AtomicFile.Write(path, stream => Write(stream, value));

    public static void Write(Stream stream, Tensor value)
    {
        TensorBytes.RequireLittleEndianHost();
        using var scope = NewDisposeScope();
        var cpu = value.detach().cpu().contiguous();
        var descr = TensorBytes.NpyDescr(cpu.dtype);
        var shape = cpu.dim() == 1 ? $"({cpu.shape[0]},)" : $"({string.Join(", ", cpu.shape)})";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        // numpy pads with at least one space before the newline, so an exact fit still gets a full extra block.
        var padding = Alignment - (Magic.Length + 4 + header.Length + 1) % Alignment;
        header = header + new string(' ', padding) + "\n";
        if (header.Length > ushort.MaxValue) throw new ArgumentException("The tensor has too many dimensions for an .npy 1.0 header.", nameof(value));
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        Span<byte> length = [(byte)(header.Length & 0xFF), (byte)(header.Length >> 8)];
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(cpu.bytes);
    }

    /// <summary>Reads an .npy file (version 1.0, 2.0 or 3.0 header) as a CPU tensor.</summary>
    /// <exception cref="InvalidDataException">The file is missing, not .npy, truncated or of an unsupported dtype; the message names it.</exception>
    public static Tensor Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such .npy file");
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads one array from <paramref name="stream"/>; <paramref name="name"/> names the source in errors.</summary>
    public static Tensor Read(Stream stream, string name)
    {
        TensorBytes.RequireLittleEndianHost();
        var preamble = new byte[Magic.Length + 2];
        if (stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false) < preamble.Length || !preamble.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{name}: not an .npy file (it does not start with \\x93NUMPY)");
        var major = preamble[Magic.Length];
        var lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new InvalidDataException($"{name}: .npy version {major}.{preamble[Magic.Length + 1]} is not supported (1.0 to 3.0 are)"),
        };
        var lengthField = ReadExactly(stream, lengthBytes, name, "header length");
        var headerLength = lengthBytes == 2 ? BitConverter.ToUInt16(lengthField) : BitConverter.ToUInt32(lengthField);
        if (headerLength > 1 << 20) throw new InvalidDataException($"{name}: the .npy header claims {headerLength} bytes");
        var header = Encoding.UTF8.GetString(ReadExactly(stream, (int)headerLength, name, "header"));
        var (dtype, shape) = ParseHeader(header, name);
        var count = ElementCount(shape, TensorBytes.ElementSize(dtype), stream, name);
        var result = empty(shape, dtype);
        try
        {
            var bytes = result.bytes;
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
                throw new InvalidDataException($"{name}: the .npy data is truncated (expected {count} values of {TensorBytes.NpyDescr(dtype)})");
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    static (ScalarType Dtype, long[] Shape) ParseHeader(string header, string name)
    {
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new InvalidDataException($"{name}: the .npy header is malformed: {header.Trim()}");
        if (fortran.Groups[1].Value == "True")
            throw new InvalidDataException($"{name}: Fortran-order .npy arrays are not supported; save a C-order array");
        var dtype = TensorBytes.FromNpyDescr(descr.Groups[1].Value)
            ?? throw new InvalidDataException($"{name}: .npy dtype '{descr.Groups[1].Value}' is not supported (use <f4, <f8, <i4 or <i8)");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sizes = new long[dims.Length];
        for (var i = 0; i < dims.Length; i++)
            if (!long.TryParse(dims[i], out sizes[i]) || sizes[i] < 0)
                throw new InvalidDataException($"{name}: the .npy shape ({shape.Groups[1].Value}) is malformed");
        return (dtype, sizes);
    }

    // A corrupt shape must not allocate: a seekable source has to hold the data its shape declares.
    static long ElementCount(long[] shape, int elementBytes, Stream stream, string name)
    {
        var available = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;
        var count = 1L;
        foreach (var size in shape)
        {
            if (size != 0 && count > available / elementBytes / size)
                throw new InvalidDataException(
                    $"{name}: the .npy data is truncated (shape ({string.Join(", ", shape)}) needs more than the {available} bytes left)");
            count *= size;
        }
        return count;
    }

    static byte[] ReadExactly(Stream stream, int count, string name, string what)
    {
        var buffer = new byte[count];
        if (stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false) < count)
            throw new InvalidDataException($"{name}: the .npy file is truncated in its {what}");
        return buffer;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
