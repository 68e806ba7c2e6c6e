namespace PostRvq.Evaluation;

/// <summary>One version of the paper's codec with its scores: mel, STFT, SI-SDR (dB) and SNR (dB).</summary>
public sealed record ReferenceRow(string Version, double Mel, double Stft, double SiSdr, double Snr);

/// <summary>
/// The paper's continuous model and codec as a reference beside our rows: its 7 AudioCaps demo clips, resampled to
/// 24 kHz and scored with this project's metric definitions (docs/metrics.md). It is different audio and a
/// different, GPU-trained 44.1 kHz model, so absolute numbers do not compare; the shape of the curve does: what each
/// step from continuous to 3 kbps costs, and what finetuning and standardization recover.
/// </summary>
public static class PaperReference
{
    public const string Caption =
        "The paper's codec on its 7 AudioCaps demo clips, resampled to 24 kHz and scored with this project's metrics. "
        + "Different audio and a different, GPU-trained model: compare the shape of the curve, not the numbers.";

    public static IReadOnlyList<ReferenceRow> Rows { get; } =
    [
        new("continuous", 0.67, 0.56, 12.7, 13.0),
        new("24 kbps", 0.99, 0.67, 11.5, 11.9),
        new("16 kbps", 1.46, 0.86, 9.5, 9.9),
        new("16 kbps, no standardization", 1.57, 0.92, 9.5, 9.9),
        new("16 kbps, finetuned", 1.11, 0.66, 10.0, 10.5),
        new("10 kbps", 2.26, 1.19, 6.4, 6.9),
        new("3 kbps", 3.67, 1.63, 0.5, 2.5),
        new("best E2E", 0.92, 0.62, 10.8, 11.2),
    ];
}
