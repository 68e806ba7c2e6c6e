using PostRvq.Metrics;

namespace PostRvq.Evaluation;

/// <summary>
/// One row of a quantizer or codec comparison: a method at one bitrate on one split. Kbps is the exact
/// fixed-length rate; <see cref="TargetKbps"/> is what was asked for. Latent and codebook columns are NaN for
/// rows without a quantizer (the continuous model). <see cref="Clips"/> holds the per-clip audio metrics whose
/// means are Mel, Stft, SiSdr and Snr, so charts can draw error bars.
/// </summary>
public sealed record ComparisonRow
{
    public required string Method { get; init; }
    public required string Split { get; init; }
    public double TargetKbps { get; init; } = double.NaN;
    public double Kbps { get; init; } = double.NaN;
    public int Codebooks { get; init; }
    public double LatentMse { get; init; } = double.NaN;
    public double LatentSnrDb { get; init; } = double.NaN;

    /// <summary>Latent SNR with every dimension's error measured against its own spread (docs/metrics.md).</summary>
    public double LatentSnrStandardizedDb { get; init; } = double.NaN;

    /// <summary>Fraction of codebook entries used at least once, averaged over codebooks.</summary>
    public double CodebookUsage { get; init; } = double.NaN;

    /// <summary>Perplexity of the code histogram, averaged over codebooks.</summary>
    public double Perplexity { get; init; } = double.NaN;

    /// <summary>Empirical entropy of the codes in kbps: what an ideal entropy coder would need.</summary>
    public double EntropyKbps { get; init; } = double.NaN;

    public double Mel { get; init; } = double.NaN;
    public double Stft { get; init; } = double.NaN;
    public double SiSdr { get; init; } = double.NaN;
    public double Snr { get; init; } = double.NaN;
    public double FitSeconds { get; init; } = double.NaN;
    public double EncodeSeconds { get; init; } = double.NaN;

    /// <summary>Training steps the model behind this row had (continuous plus finetuning, or end-to-end).</summary>
    public long TrainingSteps { get; init; }

    public IReadOnlyList<AudioMetricValues> Clips { get; init; } = [];
}
