using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>
/// Latent MSE and latent SNR in dB (docs/metrics.md). <see cref="StandardizedSnrDb"/> measures the error of each
/// dimension against that dimension's own spread, so every dimension counts equally, as in standardized RVQ's metric.
/// </summary>
public sealed record LatentErrorResult(double Mse, double SnrDb)
{
    public double StandardizedSnrDb { get; init; } = double.NaN;
}

/// <summary>How far quantized latents z_q are from the latents z.</summary>
public static class LatentError
{
    /// <summary>
    /// z and z_q of the same shape, [N, D] (a latent dataset) or [B, D, T] (channel-first latents).
    /// MSE is the mean of (z − z_q)² over all elements. SNR is 10·log10(Σ(z − mean(z))² / Σ(z − z_q)²), where
    /// mean(z) is the per-dimension mean: over N for each column of [N, D], over B and T for each channel D of
    /// [B, D, T]. So z_q = mean(z) gives 0 dB, and z_q = z gives <see cref="Decibels.Ceiling"/> (see <see cref="Decibels"/>).
    /// The standardized SNR is −10·log10 of the mean over dimensions of Σ(z_d − z_q,d)² / Σ(z_d − mean(z_d))², leaving
    /// out dimensions with no spread. Computed in float64.
    /// </summary>
    public static LatentErrorResult Compute(Tensor z, Tensor zq)
    {
        if (!z.shape.SequenceEqual(zq.shape))
            throw new ArgumentException($"Shapes differ: z [{string.Join(", ", z.shape)}], z_q [{string.Join(", ", zq.shape)}].");
        long[] sampleDims = z.dim() switch
        {
            2 => [0],
            3 => [0, 2],
            _ => throw new ArgumentException($"Expected latents [N, D] or [B, D, T], got [{string.Join(", ", z.shape)}].", nameof(z)),
        };
        if (z.numel() == 0) throw new ArgumentException("Latents are empty.", nameof(z));
        using var scope = NewDisposeScope();
        var z64 = z.to_type(ScalarType.Float64);
        var error = (z64 - zq.to_type(ScalarType.Float64)).square();
        var deviations = (z64 - z64.mean(sampleDims, keepdim: true)).square();
        var spread = deviations.sum().item<double>();
        // Per-dimension sums: dimension D is axis 1 of both [N, D] and [B, D, T].
        var spreadPerDim = deviations.sum(sampleDims);
        var errorPerDim = error.sum(sampleDims);
        var varying = spreadPerDim > 0;
        var relative = (errorPerDim.masked_select(varying) / spreadPerDim.masked_select(varying)).mean().item<double>();
        return new LatentErrorResult(error.mean().item<double>(), Decibels.EnergyRatio(spread, error.sum().item<double>()))
        {
            StandardizedSnrDb = Decibels.EnergyRatio(1, relative),
        };
    }
}
