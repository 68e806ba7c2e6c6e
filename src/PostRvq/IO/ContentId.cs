using System.Security.Cryptography;

namespace PostRvq.IO;

/// <summary>The ids that tie codes, latents and quantizers to the exact bytes of the model and quantizer that made them.</summary>
public static class ContentId
{
    /// <summary>First 16 hex digits of SHA-256: 64 bits, plenty to tell models apart and short enough to read.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
}
