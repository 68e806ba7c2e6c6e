using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>
/// The length check every audio metric makes first: a signal shorter than the metric's longest analysis window has
/// nothing to compare, and scoring it anyway gives a perfect-looking number (an empty clip at the 120 dB ceiling).
/// </summary>
static class MetricLength
{
    /// <summary>Throws unless reference and estimate ([B, T] or [B, 1, T]) overlap in at least <paramref name="minimum"/> samples.</summary>
    public static void Require(Tensor reference, Tensor estimate, int minimum, string metric)
    {
        // Shapes that are not audio are refused, with their own message, where the signals are cut to the overlap.
        if (reference.dim() == 0 || estimate.dim() == 0) return;
        var overlap = Math.Min(reference.shape[^1], estimate.shape[^1]);
        if (overlap < minimum)
            throw new ArgumentException($"{metric}: {overlap} samples are too few to score; at least {minimum} are needed");
    }
}
