using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>Writes and reads a CPU tensor as dtype, shape and little-endian raw data, for quantizer files.</summary>
static class TensorIO
{
    public static void Write(BinaryWriter writer, Tensor value)
    {
        using var cpu = value.detach().cpu().contiguous();
        writer.Write((int)cpu.dtype);
        writer.Write(cpu.dim());
        foreach (var size in cpu.shape) writer.Write(size);
        switch (cpu.dtype)
        {
            case ScalarType.Float32: foreach (var x in cpu.data<float>()) writer.Write(x); break;
            case ScalarType.Float64: foreach (var x in cpu.data<double>()) writer.Write(x); break;
            case ScalarType.Int64: foreach (var x in cpu.data<long>()) writer.Write(x); break;
            default: throw new NotSupportedException($"Quantizer files hold float32, float64 or int64 tensors, not {cpu.dtype}.");
        }
    }

    public static Tensor Read(BinaryReader reader)
    {
        var dtype = (ScalarType)reader.ReadInt32();
        var rank = reader.ReadInt64();
        if (rank is < 0 or > 8) throw new InvalidDataException($"A tensor of rank {rank} is not plausible.");
        var shape = new long[rank];
        for (var i = 0; i < rank; i++) shape[i] = reader.ReadInt64();
        if (shape.Any(size => size < 0)) throw new InvalidDataException($"A tensor of shape [{string.Join(", ", shape)}] is not plausible.");
        var elementBytes = dtype == ScalarType.Float32 ? 4 : 8;
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        // A corrupt shape must not allocate: the values have to be in the bytes that are left.
        var count = 1L;
        foreach (var size in shape)
        {
            if (size != 0 && count > remaining / elementBytes / size)
                throw new InvalidDataException($"A tensor of shape [{string.Join(", ", shape)}] needs more bytes than the {remaining} left.");
            count *= size;
        }
        return dtype switch
        {
            ScalarType.Float32 => tensor(Enumerable.Range(0, checked((int)count)).Select(_ => reader.ReadSingle()).ToArray(), shape),
            ScalarType.Float64 => tensor(Enumerable.Range(0, checked((int)count)).Select(_ => reader.ReadDouble()).ToArray(), shape),
            ScalarType.Int64 => tensor(Enumerable.Range(0, checked((int)count)).Select(_ => reader.ReadInt64()).ToArray(), shape),
            _ => throw new InvalidDataException($"A tensor of dtype {(int)dtype} is not supported in quantizer files."),
        };
    }
}
