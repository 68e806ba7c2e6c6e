using MathNet.Numerics.Random;
using MathNet.Numerics.Statistics;

namespace PostRvq.Evaluation;

/// <summary>
/// The paired bootstrap over clips (Efron and Tibshirani, ch. 13): two systems scored on the same clips are
/// compared through the per-clip differences d_i = a_i − b_i. Clips are resampled with replacement, and the
/// percentile interval of the resampled means says how far the mean difference could move on another draw of
/// clips from the same source. Pairing removes the clip-to-clip spread both systems share, which is most of it.
/// The generator is MathNet's Mersenne Twister, so a seed gives the same interval on every machine.
/// </summary>
public static class PairedBootstrap
{
    /// <summary>Resamples used unless told otherwise: enough that the 95 % interval's ends move by well under 1 % between seeds.</summary>
    public const int DefaultResamples = 10_000;

    /// <summary>
    /// The mean of a − b over clips and its percentile interval. <paramref name="a"/> and <paramref name="b"/> hold one
    /// value per clip, in the same clip order; pairs where either value is NaN or infinite are left out.
    /// </summary>
    /// <exception cref="ArgumentException">Different lengths, no finite pair, or resamples, confidence or seed out of range.</exception>
    public static PairedDifference Compare(IReadOnlyList<double> a, IReadOnlyList<double> b,
        int resamples = DefaultResamples, double confidence = 0.95, int seed = 0)
    {
        if (a.Count != b.Count)
            throw new ArgumentException($"The two systems were scored on different numbers of clips ({a.Count} and {b.Count}); a paired test needs the same clips.", nameof(b));
        if (resamples < 100) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "At least 100 resamples are needed for an interval.");
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence must lie strictly between 0 and 1.");
        if (seed < 0) throw new ArgumentOutOfRangeException(nameof(seed), seed, "The seed cannot be negative.");
        var differences = a.Zip(b, (x, y) => x - y).Where(double.IsFinite).ToArray();
        if (differences.Length == 0) throw new ArgumentException("No clip has a finite score for both systems.", nameof(a));
        var means = ResampledMeans(differences, resamples, seed);
        var tail = (1 - confidence) / 2;
        return new PairedDifference(differences.Average(), means.Quantile(tail), means.Quantile(1 - tail), differences.Length, resamples, confidence, seed);
    }

    /// <summary>The means of <paramref name="resamples"/> draws of n values with replacement from the n differences.</summary>
    static double[] ResampledMeans(double[] differences, int resamples, int seed)
    {
        var random = new MersenneTwister(seed, threadSafe: false);
        var n = differences.Length;
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++) sum += differences[random.Next(n)];
            means[r] = sum / n;
        }
        return means;
    }
}
