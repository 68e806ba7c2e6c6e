using System.Text;
using System.Text.Json;
using PostRvq.IO;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class NpySafetensorsTests
{
    static byte[] NpyBytes(Tensor value)
    {
        using var stream = new MemoryStream();
        NpyFile.Write(stream, value);
        return stream.ToArray();
    }

    static string NpyHeader(byte[] bytes) => Encoding.ASCII.GetString(bytes, 10, BitConverter.ToUInt16(bytes, 8));

    [Fact]
    public void Npy_MatchesNumpySaveByteForByte()
    {
        // np.save of np.array([[1, 2, 3], [4, 5, -0.5]], dtype='<f4') with NumPy 1.24.
        var expectedHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + new string(' ', 58) + "\n";
        var expected = new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0x76, 0 }
            .Concat(Encoding.ASCII.GetBytes(expectedHeader))
            .Concat(Convert.FromHexString("0000803f0000004000004040000080400000a040000000bf"))
            .ToArray();
        using var value = tensor(new float[] { 1, 2, 3, 4, 5, -0.5f }, [2, 3]);
        Assert.Equal(expected, NpyBytes(value));
    }

    [Fact]
    public void Npy_OneDimensionalShapeHasATrailingComma_AndDataIs64ByteAligned()
    {
        using var value = tensor(new long[] { 7, -1 });
        var bytes = NpyBytes(value);
        Assert.Contains("'shape': (2,), ", NpyHeader(bytes));
        Assert.Contains("'descr': '<i8'", NpyHeader(bytes));
        var dataStart = 10 + BitConverter.ToUInt16(bytes, 8);
        Assert.Equal(0, dataStart % 64);
        Assert.Equal((byte)'\n', bytes[dataStart - 1]);
        Assert.Equal(Convert.FromHexString("0700000000000000ffffffffffffffff"), bytes[dataStart..]);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Int64)]
    public void Npy_RoundTripsEveryDtypeAndShape(ScalarType dtype)
    {
        using var folder = new TempFolder();
        foreach (var shape in new[] { new long[] { 5, 3 }, [4], [2, 3, 4], [], [0, 6] })
        {
            using var value = (randn(shape) * 100).to_type(dtype);
            var path = folder.File($"a{shape.Length}.npy");
            NpyFile.Save(path, value);
            using var back = NpyFile.Load(path);
            Assert.Equal(dtype, back.dtype);
            Assert.Equal(shape, back.shape);
            Assert.True(value.eq(back).all().item<bool>());
            Assert.Equal(0, (10 + BitConverter.ToUInt16(File.ReadAllBytes(path), 8)) % 64);
        }
    }

    [Fact]
    public void Npy_ErrorsNameTheFile()
    {
        using var folder = new TempFolder();
        var notNpy = folder.File("text.npy");
        File.WriteAllText(notNpy, "hello world, this is not numpy");
        Assert.Contains("text.npy", Assert.Throws<InvalidDataException>(() => NpyFile.Load(notNpy)).Message);
        Assert.Contains("none.npy", Assert.Throws<InvalidDataException>(() => NpyFile.Load(folder.File("none.npy"))).Message);

        var truncated = folder.File("cut.npy");
        using (var value = ones(10, 10)) File.WriteAllBytes(truncated, NpyBytes(value)[..200]);
        var error = Assert.Throws<InvalidDataException>(() => NpyFile.Load(truncated));
        Assert.Contains("cut.npy", error.Message);
        Assert.Contains("truncated", error.Message);

        var fortran = folder.File("fortran.npy");
        using (var value = ones(2, 2))
        {
            var bytes = NpyBytes(value);
            var text = Encoding.Latin1.GetString(bytes).Replace("'fortran_order': False", "'fortran_order': True ");
            File.WriteAllBytes(fortran, Encoding.Latin1.GetBytes(text));
        }
        Assert.Contains("Fortran", Assert.Throws<InvalidDataException>(() => NpyFile.Load(fortran)).Message);
    }

    [Fact]
    public void Safetensors_LayoutIsHeaderLengthJsonThenBackToBackData()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var b = tensor(new long[] { 9, 8 });
        using var stream = new MemoryStream();
        SafetensorsFile.Write(stream, [new("a", a), new("b", b)], new Dictionary<string, string> { ["note"] = "x,y" });
        var bytes = stream.ToArray();
        var headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(8 + headerLength + 24 + 16, bytes.Length);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength));
        var root = header.RootElement;
        Assert.Equal("x,y", root.GetProperty("__metadata__").GetProperty("note").GetString());
        Assert.Equal("F32", root.GetProperty("a").GetProperty("dtype").GetString());
        Assert.Equal([2L, 3L], root.GetProperty("a").GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([0L, 24L], root.GetProperty("a").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal("I64", root.GetProperty("b").GetProperty("dtype").GetString());
        Assert.Equal([24L, 40L], root.GetProperty("b").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(1f, BitConverter.ToSingle(bytes, 8 + headerLength));
        Assert.Equal(9L, BitConverter.ToInt64(bytes, 8 + headerLength + 24));
    }

    [Fact]
    public void Safetensors_RoundTripsTensorsAndMetadataInOrder()
    {
        using var folder = new TempFolder();
        var path = folder.File("t.safetensors");
        using var frames = randn(50, 7);
        using var counts = tensor(new long[] { 20, 30 });
        using var doubles = randn(3, dtype: ScalarType.Float64);
        SafetensorsFile.Save(path, [new("frames", frames), new("counts", counts), new("d", doubles)], new Dictionary<string, string> { ["k"] = "v" });
        var content = SafetensorsFile.Load(path);
        Assert.Equal(["frames", "counts", "d"], content.Tensors.Keys);
        Assert.Equal("v", content.Metadata["k"]);
        Assert.True(content.Tensor("frames").eq(frames).all().item<bool>());
        Assert.True(content.Tensor("counts").eq(counts).all().item<bool>());
        Assert.True(content.Tensor("d").eq(doubles).all().item<bool>());
        Assert.Contains("'missing'", Assert.Throws<InvalidDataException>(() => content.Tensor("missing")).Message);
        foreach (var value in content.Tensors.Values) value.Dispose();
    }

    [Fact]
    public void Safetensors_RefusesTruncatedAndForeignFilesNamingThem()
    {
        using var folder = new TempFolder();
        var path = folder.File("t.safetensors");
        using var value = randn(100, 4);
        SafetensorsFile.Save(path, [new("x", value)]);
        var bytes = File.ReadAllBytes(path);
        var truncated = folder.File("cut.safetensors");
        File.WriteAllBytes(truncated, bytes[..^10]);
        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Load(truncated));
        Assert.Contains("cut.safetensors", error.Message);
        Assert.Contains("truncated", error.Message);
        var foreign = folder.File("foreign.safetensors");
        File.WriteAllText(foreign, "this is a text file and not tensors");
        Assert.Contains("foreign.safetensors", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Load(foreign)).Message);
    }
}
