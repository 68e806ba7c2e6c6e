using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>Signal-to-noise ratio (↑, dB) with no scaling or mean removal, computed in float64.</summary>
public static class Snr
{
    /// <summary>
    /// Per-item 10·log10(‖ref‖² / ‖ref − est‖²) [B] for inputs [B, T] or [B, 1, T], cut to the shorter length;
    /// a perfect estimate gives <see cref="Decibels.Ceiling"/> (see <see cref="Decibels"/>). An overlap of two
    /// <paramref name="segment"/>s or more is summed segment by segment (<see cref="MetricSegments"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The overlap is empty.</exception>
    public static Tensor Compute(Tensor reference, Tensor estimate, int segment = MetricSegments.DefaultLength)
    {
        // Two empty signals would tie at the ceiling: a perfect score for nothing.
        MetricLength.Require(reference, estimate, 1, "SNR");
        MetricSegments.Validate(segment);
        using var scope = NewDisposeScope();
        if (MetricSegments.IsSegmented(MetricSegments.Overlap(reference, estimate), segment))
        {
            var (rs, es) = AudioBatch.CutToShorter(reference, estimate);
            return Decibels.EnergyRatio(
                    MetricSegments.Sum(rs, es, segment, (r, _) => r.square().sum(1)),
                    MetricSegments.Sum(rs, es, segment, (r, e) => (r - e).square().sum(1)))
                .MoveToOuterDisposeScope();
        }
        var (r, e) = AudioBatch.CutToShorter(reference.to_type(ScalarType.Float64), estimate.to_type(ScalarType.Float64));
        return Decibels.EnergyRatio(r.square().sum(1), (r - e).square().sum(1)).MoveToOuterDisposeScope();
    }
}
