using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>
/// How the audio metrics bound their memory on long clips: an overlap of at least two segments is scored one segment
/// at a time (float64 copies and spectrograms of one segment only), a shorter one whole. The results are the whole-clip
/// definitions of docs/metrics.md, up to float64 summation order.
/// </summary>
public static class MetricSegments
{
    /// <summary>
    /// 2^19 samples (21.8 s at 24 kHz): the float64 spectrograms of one segment at one scale take tens of MB, where a whole
    /// hour would take gigabytes. A multiple of every hop the metrics use.
    /// </summary>
    public const int DefaultLength = 1 << 19;

    /// <summary>Whether an overlap of <paramref name="samples"/> is scored in segments of <paramref name="segment"/> samples.</summary>
    public static bool IsSegmented(long samples, int segment) => SegmentedSpectralDistance.SegmentCount(samples, segment) > 1;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> unless the length is a positive multiple of 512 of at least 2048 samples.</summary>
    public static void Validate(int segment)
    {
        if (segment < AudioMetrics.MinimumLength || segment % SegmentedSpectralDistance.Alignment != 0)
            throw new ArgumentOutOfRangeException(nameof(segment), segment,
                $"A metric segment must be a multiple of {SegmentedSpectralDistance.Alignment} samples and at least {AudioMetrics.MinimumLength}.");
    }

    /// <summary>Overlap length of reference and estimate ([B, T] or [B, 1, T]).</summary>
    internal static long Overlap(Tensor reference, Tensor estimate) => Math.Min(reference.shape[^1], estimate.shape[^1]);

    /// <summary>
    /// Σ over segments of <paramref name="perSegment"/>(r, e) [B] for r and e [B, T] (already cut to the overlap), each
    /// segment's samples given in float64. Call inside a dispose scope.
    /// </summary>
    internal static Tensor Sum(Tensor r, Tensor e, int segment, Func<Tensor, Tensor, Tensor> perSegment)
    {
        var length = r.shape[1];
        var total = zeros(r.shape[0], dtype: ScalarType.Float64, device: r.device);
        for (long start = 0; start < length; start += segment)
        {
            using var scope = NewDisposeScope();
            var take = Math.Min(segment, length - start);
            total = (total + perSegment(r.narrow(1, start, take).to_type(ScalarType.Float64), e.narrow(1, start, take).to_type(ScalarType.Float64)))
                .MoveToOuterDisposeScope();
        }
        return total;
    }
}
