// Multi-scale mel distance of DAC: Kumar et al., "High-Fidelity Audio Compression with Improved RVQGAN", 2023.
using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>DAC's multi-scale log-mel L1 distance (↓), as defined in metrics.md; computed in float64.</summary>
public static class MelDistance
{
    /// <summary>The 7 (window, mel bands) scales of DAC's mel loss; hop is window/4.</summary>
    public static IReadOnlyList<(int Window, int Mels)> Scales { get; } =
        [(32, 5), (64, 10), (128, 20), (256, 40), (512, 80), (1024, 160), (2048, 320)];

    /// <summary>
    /// Per-item distance [B] (float64) between reference and estimate, each [B, T] or [B, 1, T]; both are cut to the
    /// shorter length.
    /// </summary>
    public static Tensor Compute(Tensor reference, Tensor estimate, int sampleRate)
    {
        using var scope = NewDisposeScope();
        return SpectralDistance.MultiScaleLogMel(
                reference.to_type(ScalarType.Float64), estimate.to_type(ScalarType.Float64), sampleRate, Scales, stableMagnitude: false)
            .MoveToOuterDisposeScope();
    }
}
