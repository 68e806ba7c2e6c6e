using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>Log-magnitude STFT L1 distance (↓) at n_fft 2048 and 512, as defined in docs/metrics.md; computed in float64.</summary>
public static class StftDistance
{
    /// <summary>The FFT sizes of the metric; hop is n_fft/4.</summary>
    public static IReadOnlyList<int> FftSizes { get; } = [2048, 512];

    /// <summary>The fewest samples the metric scores: its longest window (2048).</summary>
    public static int MinimumLength => FftSizes.Max();

    /// <summary>
    /// Per-item distance [B] (float64) between reference and estimate, each [B, T] or [B, 1, T]; both are cut to the
    /// shorter length. An overlap of two <paramref name="segment"/>s or more is scored segment by segment
    /// (<see cref="MetricSegments"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The overlap is shorter than <see cref="MinimumLength"/>.</exception>
    public static Tensor Compute(Tensor reference, Tensor estimate, int segment = MetricSegments.DefaultLength)
    {
        MetricLength.Require(reference, estimate, MinimumLength, "STFT distance");
        MetricSegments.Validate(segment);
        using var scope = NewDisposeScope();
        if (MetricSegments.IsSegmented(MetricSegments.Overlap(reference, estimate), segment))
            return SegmentedSpectralDistance.MultiResolutionLogStft(reference, estimate, FftSizes, segment).MoveToOuterDisposeScope();
        return SpectralDistance.MultiResolutionLogStft(
                reference.to_type(ScalarType.Float64), estimate.to_type(ScalarType.Float64), FftSizes, stableMagnitude: false)
            .MoveToOuterDisposeScope();
    }
}
