using PostRvq.Audio;
using PostRvq.Evaluation;
using PostRvq.Metrics;

namespace PostRvq.Viz.Tests;

/// <summary>Small clips and comparison rows with known numbers.</summary>
static class TestData
{
    public static AudioClip Sine(double hz, double seconds = 0.5, int sampleRate = 24000) =>
        new(Enumerable.Range(0, (int)(seconds * sampleRate)).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / sampleRate))).ToArray(), sampleRate);

    public static AudioMetricValues Clip(double mel) => new(mel, mel / 2, 10 - mel, 12 - mel);

    public static ComparisonRow Row(string method, double kbps, double[] mels, string split = "test") => new()
    {
        Method = method,
        Split = split,
        TargetKbps = kbps,
        Kbps = kbps,
        Mel = mels.Average(),
        Stft = mels.Average() / 2,
        SiSdr = 10 - mels.Average(),
        Snr = 12 - mels.Average(),
        Clips = mels.Select(Clip).ToList(),
    };

    /// <summary>Two methods over three bitrates; "pq" has no 24 kbps row.</summary>
    public static IReadOnlyList<ComparisonRow> Grid() =>
    [
        Row("rvq", 6, [2.0, 3.0, 4.0]),
        Row("rvq", 3, [4.0, 5.0, 6.0]),
        Row("rvq", 24, [1.0, 1.0, 1.0]),
        Row("pq", 3, [5.0, 6.0]),
        Row("pq", 6, [3.0, 4.0]),
    ];
}
