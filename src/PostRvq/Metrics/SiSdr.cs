// Scale-invariant SDR: Le Roux, Wisdom, Erdogan, Hershey, "SDR – half-baked or well done?", ICASSP 2019.
using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>Scale-invariant signal-to-distortion ratio (↑, dB), computed in float64.</summary>
public static class SiSdr
{
    /// <summary>The fewest samples the metric scores: one sample is all mean, so nothing is left to compare and it would score the ceiling.</summary>
    public const int MinimumLength = 2;

    /// <summary>
    /// Per-item SI-SDR [B] in dB of estimate against reference, each [B, T] or [B, 1, T], cut to the shorter length.
    /// Both are made zero-mean; a perfect estimate gives <see cref="Decibels.Ceiling"/> (see <see cref="Decibels"/>).
    /// An overlap of two <paramref name="segment"/>s or more is summed segment by segment (<see cref="MetricSegments"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The overlap is shorter than <see cref="MinimumLength"/>.</exception>
    public static Tensor Compute(Tensor reference, Tensor estimate, int segment = MetricSegments.DefaultLength)
    {
        MetricLength.Require(reference, estimate, MinimumLength, "SI-SDR");
        MetricSegments.Validate(segment);
        using var scope = NewDisposeScope();
        if (MetricSegments.IsSegmented(MetricSegments.Overlap(reference, estimate), segment))
            return Segmented(reference, estimate, segment).MoveToOuterDisposeScope();
        var (r, e) = AudioBatch.CutToShorter(reference.to_type(ScalarType.Float64), estimate.to_type(ScalarType.Float64));
        r = r - r.mean([1], keepdim: true);
        e = e - e.mean([1], keepdim: true);
        var referenceEnergy = r.square().sum(1, keepdim: true);
        // A silent reference has no direction to project on; its target is zero.
        var alpha = (e * r).sum(1, keepdim: true) / referenceEnergy.clamp_min(1e-30);
        var target = alpha * r;
        return Decibels.EnergyRatio(target.square().sum(1), (e - target).square().sum(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same definition in three passes over segments (means, then projection, then energies), so only one segment
    /// is ever held in float64; [B] for inputs [B, T] or [B, 1, T]. Call inside a dispose scope.
    /// </summary>
    static Tensor Segmented(Tensor reference, Tensor estimate, int segment)
    {
        var (rs, es) = AudioBatch.CutToShorter(reference, estimate);
        var length = (double)rs.shape[1];
        var referenceMean = MetricSegments.Sum(rs, es, segment, (r, _) => r.sum(1)).div(length).unsqueeze(1);
        var estimateMean = MetricSegments.Sum(rs, es, segment, (_, e) => e.sum(1)).div(length).unsqueeze(1);
        var referenceEnergy = MetricSegments.Sum(rs, es, segment, (r, _) => (r - referenceMean).square().sum(1));
        var alpha = (MetricSegments.Sum(rs, es, segment, (r, e) => ((e - estimateMean) * (r - referenceMean)).sum(1))
            / referenceEnergy.clamp_min(1e-30)).unsqueeze(1);
        return Decibels.EnergyRatio(
            MetricSegments.Sum(rs, es, segment, (r, _) => (alpha * (r - referenceMean)).square().sum(1)),
            MetricSegments.Sum(rs, es, segment, (r, e) => (e - estimateMean - alpha * (r - referenceMean)).square().sum(1)));
    }
}
