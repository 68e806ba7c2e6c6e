using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>Signal-to-noise ratio (↑, dB) with no scaling or mean removal, computed in float64.</summary>
public static class Snr
{
    /// <summary>
    /// Per-item 10·log10(‖ref‖² / ‖ref − est‖²) [B] for inputs [B, T] or [B, 1, T], cut to the shorter length;
    /// a perfect estimate gives <see cref="Decibels.Ceiling"/> (see <see cref="Decibels"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The overlap is empty.</exception>
    public static Tensor Compute(Tensor reference, Tensor estimate)
    {
        // Two empty signals would tie at the ceiling: a perfect score for nothing.
        MetricLength.Require(reference, estimate, 1, "SNR");
        using var scope = NewDisposeScope();
        var (r, e) = AudioBatch.CutToShorter(reference.to_type(ScalarType.Float64), estimate.to_type(ScalarType.Float64));
        return Decibels.EnergyRatio(r.square().sum(1), (r - e).square().sum(1)).MoveToOuterDisposeScope();
    }
}
