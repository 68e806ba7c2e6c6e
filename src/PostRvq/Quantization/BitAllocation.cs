namespace PostRvq.Quantization;

/// <summary>
/// Integer bit allocation over dimensions by reverse water-filling (Cover and Thomas, "Elements of Information
/// Theory", §10.3.3): for independent Gaussian components of variances σ²ᵢ, the high-rate distortion of
/// component i at bᵢ bits is σ²ᵢ·4^(−bᵢ), so each next bit goes to the component with the largest current
/// distortion. Components far below the water level get 0 bits. It assumes independent components.
/// </summary>
public static class BitAllocation
{
    /// <summary>
    /// Distributes <paramref name="totalBits"/> over the components of <paramref name="variances"/>, at most
    /// <paramref name="maxBitsPerComponent"/> each; ties go to the lower index, so the result is deterministic.
    /// </summary>
    public static int[] Allocate(IReadOnlyList<double> variances, int totalBits, int maxBitsPerComponent)
    {
        if (variances.Count == 0) throw new ArgumentException("There are no components to allocate bits to.", nameof(variances));
        if (totalBits < 0) throw new ArgumentOutOfRangeException(nameof(totalBits), totalBits, "Bits must be non-negative.");
        if (totalBits > (long)variances.Count * maxBitsPerComponent)
            throw new ArgumentOutOfRangeException(nameof(totalBits), totalBits,
                $"{variances.Count} components of at most {maxBitsPerComponent} bits hold at most {variances.Count * maxBitsPerComponent} bits.");
        var bits = new int[variances.Count];
        var distortion = variances.Select(v => Math.Max(v, 0)).ToArray();
        for (var given = 0; given < totalBits; given++)
        {
            var best = -1;
            for (var i = 0; i < bits.Length; i++)
                if (bits[i] < maxBitsPerComponent && (best < 0 || distortion[i] > distortion[best])) best = i;
            bits[best]++;
            distortion[best] /= 4;
        }
        return bits;
    }
}
