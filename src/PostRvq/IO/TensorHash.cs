using System.Security.Cryptography;
using static TorchSharp.torch;

namespace PostRvq.IO;

/// <summary>
/// The checksum that safetensors-based files keep in their string metadata: SHA-256, as lower-case hex, of an
/// optional prefix followed by each tensor's little-endian C-order bytes (exactly the bytes the file stores).
/// </summary>
public static class TensorHash
{
    public static string Sha256(IEnumerable<Tensor> tensors, byte[]? prefix = null)
    {
        TensorBytes.RequireLittleEndianHost();
        using var scope = NewDisposeScope();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (prefix is not null) hash.AppendData(prefix);
        foreach (var value in tensors) hash.AppendData(value.detach().cpu().contiguous().bytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
