namespace PostRvq.Viz

open PostRvq.Evaluation
open PostRvq.Metrics

/// The four audio metrics of a comparison row (docs/metrics.md).
type AudioMetric =
    /// Multi-scale mel distance (lower is better).
    | Mel = 0
    /// Multi-resolution STFT distance (lower is better).
    | Stft = 1
    /// Scale-invariant SDR in dB (higher is better).
    | SiSdr = 2
    /// SNR in dB (higher is better).
    | Snr = 3

/// Reads one metric off rows and per-clip values, and names it for axes and tables.
module AudioMetrics =
    let ofClip (metric: AudioMetric) (clip: AudioMetricValues) =
        match metric with
        | AudioMetric.Mel -> clip.Mel
        | AudioMetric.Stft -> clip.Stft
        | AudioMetric.SiSdr -> clip.SiSdr
        | AudioMetric.Snr -> clip.Snr
        | other -> invalidArg (nameof metric) $"Unknown metric {other}."

    let ofRow (metric: AudioMetric) (row: ComparisonRow) =
        match metric with
        | AudioMetric.Mel -> row.Mel
        | AudioMetric.Stft -> row.Stft
        | AudioMetric.SiSdr -> row.SiSdr
        | AudioMetric.Snr -> row.Snr
        | other -> invalidArg (nameof metric) $"Unknown metric {other}."

    let label (metric: AudioMetric) =
        match metric with
        | AudioMetric.Mel -> "Mel distance (↓)"
        | AudioMetric.Stft -> "STFT distance (↓)"
        | AudioMetric.SiSdr -> "SI-SDR, dB (↑)"
        | AudioMetric.Snr -> "SNR, dB (↑)"
        | other -> invalidArg (nameof metric) $"Unknown metric {other}."
