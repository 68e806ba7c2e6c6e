using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>Log-magnitude STFT L1 distance (↓) at n_fft 2048 and 512, as defined in metrics.md; computed in float64.</summary>
public static class StftDistance
{
    /// <summary>The FFT sizes of the metric; hop is n_fft/4.</summary>
    public static IReadOnlyList<int> FftSizes { get; } = [2048, 512];

    /// <summary>
    /// Per-item distance [B] (float64) between reference and estimate, each [B, T] or [B, 1, T]; both are cut to the
    /// shorter length.
    /// </summary>
    public static Tensor Compute(Tensor reference, Tensor estimate)
    {
        using var scope = NewDisposeScope();
        return SpectralDistance.MultiResolutionLogStft(
                reference.to_type(ScalarType.Float64), estimate.to_type(ScalarType.Float64), FftSizes, stableMagnitude: false)
            .MoveToOuterDisposeScope();
    }
}
