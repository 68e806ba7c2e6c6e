// Multi-scale mel distance of DAC: Kumar et al., "High-Fidelity Audio Compression with Improved RVQGAN", 2023.
using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>DAC's multi-scale log-mel L1 distance (↓), as defined in docs/metrics.md; computed in float64.</summary>
public static class MelDistance
{
    /// <summary>The 7 (window, mel bands) scales of DAC's mel loss; hop is window/4.</summary>
    public static IReadOnlyList<(int Window, int Mels)> Scales { get; } =
        [(32, 5), (64, 10), (128, 20), (256, 40), (512, 80), (1024, 160), (2048, 320)];

    /// <summary>The fewest samples the metric scores: its longest window (2048).</summary>
    public static int MinimumLength => Scales.Max(s => s.Window);

    /// <summary>
    /// Per-item distance [B] (float64) between reference and estimate, each [B, T] or [B, 1, T]; both are cut to the
    /// shorter length. An overlap of two <paramref name="segment"/>s or more is scored segment by segment
    /// (<see cref="MetricSegments"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The overlap is shorter than <see cref="MinimumLength"/>.</exception>
    public static Tensor Compute(Tensor reference, Tensor estimate, int sampleRate, int segment = MetricSegments.DefaultLength)
    {
        MetricLength.Require(reference, estimate, MinimumLength, "Mel distance");
        MetricSegments.Validate(segment);
        using var scope = NewDisposeScope();
        if (MetricSegments.IsSegmented(MetricSegments.Overlap(reference, estimate), segment))
            return SegmentedSpectralDistance.MultiScaleLogMel(reference, estimate, sampleRate, Scales, segment).MoveToOuterDisposeScope();
        return SpectralDistance.MultiScaleLogMel(
                reference.to_type(ScalarType.Float64), estimate.to_type(ScalarType.Float64), sampleRate, Scales, stableMagnitude: false)
            .MoveToOuterDisposeScope();
    }
}
