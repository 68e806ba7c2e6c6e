using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>The four audio metrics of one item: mel and STFT distances (↓), SI-SDR and SNR in dB (↑).</summary>
public sealed record AudioMetricValues(double Mel, double Stft, double SiSdr, double Snr);

/// <summary>All audio metrics of docs/metrics.md for a batch at once.</summary>
public static class AudioMetrics
{
    /// <summary>
    /// The fewest samples all four metrics score: the longest analysis window of the mel and STFT distances (2048).
    /// Shorter clips are refused, never scored: an empty one would otherwise reach the 120 dB ceiling.
    /// </summary>
    public static int MinimumLength => Math.Max(MelDistance.MinimumLength, StftDistance.MinimumLength);

    /// <summary>Whether a clip of <paramref name="samples"/> samples is long enough to score.</summary>
    public static bool CanScore(long samples) => samples >= MinimumLength;

    /// <summary>
    /// One row per batch item for reference and estimate [B, T] or [B, 1, T], cut to the shorter length. An overlap of
    /// two <paramref name="segment"/>s or more is scored segment by segment, in bounded memory (<see cref="MetricSegments"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The signals overlap in fewer than <see cref="MinimumLength"/> samples.</exception>
    public static IReadOnlyList<AudioMetricValues> Compute(Tensor reference, Tensor estimate, int sampleRate, int segment = MetricSegments.DefaultLength)
    {
        MetricLength.Require(reference, estimate, MinimumLength, "Audio metrics");
        using var scope = NewDisposeScope();
        var mel = Values(MelDistance.Compute(reference, estimate, sampleRate, segment));
        var stft = Values(StftDistance.Compute(reference, estimate, segment));
        var siSdr = Values(SiSdr.Compute(reference, estimate, segment));
        var snr = Values(Snr.Compute(reference, estimate, segment));
        return [.. Enumerable.Range(0, mel.Length).Select(i => new AudioMetricValues(mel[i], stft[i], siSdr[i], snr[i]))];
    }

    /// <summary>The field-wise mean of rows; throws if there are none.</summary>
    public static AudioMetricValues Mean(IEnumerable<AudioMetricValues> rows)
    {
        var all = rows.ToList();
        if (all.Count == 0) throw new ArgumentException("Cannot average zero metric rows.", nameof(rows));
        return new AudioMetricValues(
            all.Average(r => r.Mel), all.Average(r => r.Stft), all.Average(r => r.SiSdr), all.Average(r => r.Snr));
    }

    static double[] Values(Tensor perItem) => perItem.cpu().data<double>().ToArray();
}
