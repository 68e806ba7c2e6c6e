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

    /// <summary>
    /// Writes what an RVQ-family fit did into its <paramref name="provenance"/>: each stage's convergence and, when
    /// <paramref name="options"/> kept a zero entry, that it did (<see cref="RvqOptions.ZeroEntryKey"/>).
    /// </summary>
    internal static void Record(Dictionary<string, string> provenance, IEnumerable<KMeansResult> stages, KMeansOptions options)
    {
        provenance[Key] = Describe(stages);
        if (options.KeepZeroCentroid) provenance[RvqOptions.ZeroEntryKey] = RvqOptions.ZeroEntryNote;
        else provenance.Remove(RvqOptions.ZeroEntryKey);
    }

    /// <summary>Copies what <see cref="Record"/> wrote from an inner quantizer's provenance into its wrapper's.</summary>
    internal static void Copy(IReadOnlyDictionary<string, string> from, Dictionary<string, string> to)
    {
        foreach (var key in new[] { Key, RvqOptions.ZeroEntryKey })
        {
            if (from.TryGetValue(key, out var value)) to[key] = value;
            else to.Remove(key);
        }
    }

    /// <summary>The last-iteration gains (fractions) recorded by <see cref="Describe"/>, one per stage.</summary>
    public static IReadOnlyList<double> LastGains(string described) =>
        [.. described.Split("; ", StringSplitOptions.RemoveEmptyEntries)
            .Select(stage => stage.Split('/')[1].Trim().TrimEnd('%').Trim())
            .Select(gain => double.Parse(gain, NumberStyles.Float, CultureInfo.InvariantCulture) / 100)];
}
