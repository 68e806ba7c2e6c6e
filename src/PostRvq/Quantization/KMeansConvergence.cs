using System.Globalization;

namespace PostRvq.Quantization;

/// <summary>
/// How far each stage's k-means got: a fitted quantizer records it in its provenance under <see cref="Key"/>,
/// so a reader can check the codebooks were converged rather than cut short.
/// </summary>
public static class KMeansConvergence
{
    public const string Key = "kmeans";

    /// <summary>"stage: Lloyd iterations / MSE gain of the last one", e.g. "1: 25 / 0.012 %; 2: 25 / 0.020 %".</summary>
    public static string Describe(IEnumerable<KMeansResult> stages) =>
        string.Join("; ", stages.Select((fit, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1}: {fit.Iterations} / {100 * fit.LastGain:0.###} %")));

    /// <summary>The last-iteration gains (fractions) recorded by <see cref="Describe"/>, one per stage.</summary>
    public static IReadOnlyList<double> LastGains(string described) =>
        [.. described.Split("; ", StringSplitOptions.RemoveEmptyEntries)
            .Select(stage => stage.Split('/')[1].Trim().TrimEnd('%').Trim())
            .Select(gain => double.Parse(gain, NumberStyles.Float, CultureInfo.InvariantCulture) / 100)];
}
