using static TorchSharp.torch;

namespace PostRvq.IO;

/// <summary>The dtypes the .npy and safetensors writers handle, and their names in each format.</summary>
static class TensorBytes
{
    static readonly (ScalarType Dtype, string Npy, string Safetensors)[] Names =
    [
        (ScalarType.Float32, "<f4", "F32"),
        (ScalarType.Float64, "<f8", "F64"),
        (ScalarType.Int32, "<i4", "I32"),
        (ScalarType.Int64, "<i8", "I64"),
    ];

    public static string NpyDescr(ScalarType dtype) => Find(dtype).Npy;

    public static string SafetensorsDtype(ScalarType dtype) => Find(dtype).Safetensors;

    public static ScalarType? FromNpyDescr(string descr) =>
        Names.Where(n => n.Npy == descr).Select(n => (ScalarType?)n.Dtype).FirstOrDefault();

    public static ScalarType? FromSafetensorsDtype(string dtype) =>
        Names.Where(n => n.Safetensors == dtype).Select(n => (ScalarType?)n.Dtype).FirstOrDefault();

    public static int ElementSize(ScalarType dtype) => dtype is ScalarType.Float64 or ScalarType.Int64 ? 8 : 4;

    /// <summary>Both formats are little-endian and tensors are copied as raw bytes, so the host must be too.</summary>
    public static void RequireLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Tensor files are read and written on little-endian machines only.");
    }

    static (ScalarType Dtype, string Npy, string Safetensors) Find(ScalarType dtype)
    {
        foreach (var name in Names)
            if (name.Dtype == dtype) return name;
        throw new ArgumentException($"Tensor files hold float32, float64, int32 or int64 tensors, not {dtype}.", nameof(dtype));
    }
}
