using PostRvq.Evaluation;

namespace PostRvq.Tests;

/// <summary>The paired bootstrap: exact on constant differences, reproducible by seed, and a 95 % interval that covers the truth about 95 % of the time.</summary>
public class PairedBootstrapTests
{
    /// <summary>Per-clip scores of two systems: b is a clip effect shared by both, a adds <paramref name="shift"/> and per-clip noise.</summary>
    static (double[] A, double[] B) Scores(int clips, double shift, double noise, int seed)
    {
        var random = new Random(seed);
        var b = Enumerable.Range(0, clips).Select(_ => 2 + 3 * random.NextDouble()).ToArray();
        var a = b.Select(x => x + shift + noise * Gaussian(random)).ToArray();
        return (a, b);
    }

    static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void AConstantDifferenceHasAZeroWidthInterval()
    {
        var (a, b) = Scores(40, shift: -0.25, noise: 0, seed: 1);
        var d = PairedBootstrap.Compare(a, b);
        Assert.Equal(-0.25, d.Mean, 12);
        Assert.Equal(-0.25, d.Low, 12);
        Assert.Equal(-0.25, d.High, 12);
        Assert.True(d.IsBelowZero);
        Assert.Equal(40, d.Clips);
    }

    [Fact]
    public void TheSameSeedGivesTheSameIntervalAndAnotherSeedNearlyTheSame()
    {
        var (a, b) = Scores(100, shift: 0.1, noise: 0.3, seed: 2);
        var first = PairedBootstrap.Compare(a, b, seed: 7);
        Assert.Equal(first, PairedBootstrap.Compare(a, b, seed: 7));
        var other = PairedBootstrap.Compare(a, b, seed: 8);
        Assert.NotEqual(first.Low, other.Low);
        Assert.Equal(first.Low, other.Low, 0.01);
        Assert.Equal(first.High, other.High, 0.01);
    }

    [Fact]
    public void PairingRemovesTheSpreadBothSystemsShare()
    {
        // The clip effect spans 3 units but the difference varies by only 0.05: the interval must be as narrow as the latter.
        var (a, b) = Scores(200, shift: 0.02, noise: 0.05, seed: 3);
        var d = PairedBootstrap.Compare(a, b);
        Assert.True(d.High - d.Low < 0.03, $"interval {d} is wider than the noise of the differences allows");
        Assert.True(d.IsAboveZero);
    }

    [Fact]
    public void TheIntervalMatchesNormalTheoryAndShrinksWithTheSquareRootOfTheClips()
    {
        var (a, b) = Scores(400, shift: 0, noise: 1, seed: 4);
        var d = PairedBootstrap.Compare(a, b);
        var differences = a.Zip(b, (x, y) => x - y).ToArray();
        var mean = differences.Average();
        var sd = Math.Sqrt(differences.Sum(x => (x - mean) * (x - mean)) / (differences.Length - 1));
        var normalHalfWidth = 1.96 * sd / Math.Sqrt(differences.Length);
        Assert.Equal(normalHalfWidth, (d.High - d.Low) / 2, 0.1 * normalHalfWidth);
        var quarter = PairedBootstrap.Compare(a[..100], b[..100]);
        var ratio = (quarter.High - quarter.Low) / (d.High - d.Low);
        Assert.InRange(ratio, 1.6, 2.4);
    }

    [Fact]
    public void The95PercentIntervalCoversTheTrueDifferenceAbout95PercentOfTheTime()
    {
        const int trials = 300;
        var covered = 0;
        for (var t = 0; t < trials; t++)
        {
            var (a, b) = Scores(60, shift: 0.4, noise: 0.5, seed: 100 + t);
            var d = PairedBootstrap.Compare(a, b, resamples: 1000, seed: t);
            if (d.Low <= 0.4 && 0.4 <= d.High) covered++;
        }
        // Percentile intervals undercover slightly at n = 60; 300 trials put the binomial spread near ±2.5 points.
        Assert.InRange(covered / (double)trials, 0.88, 0.99);
    }

    [Fact]
    public void PairsWithANonFiniteScoreAreLeftOut()
    {
        double[] a = [1, 2, double.NaN, 4];
        double[] b = [0.5, 1.5, 3, double.PositiveInfinity];
        var d = PairedBootstrap.Compare(a, b);
        Assert.Equal(2, d.Clips);
        Assert.Equal(0.5, d.Mean, 12);
    }

    [Fact]
    public void BadInputIsRefusedWithTheReason()
    {
        var mismatch = Assert.Throws<ArgumentException>(() => PairedBootstrap.Compare([1, 2, 3], [1, 2]));
        Assert.Contains("different numbers of clips (3 and 2)", mismatch.Message);
        Assert.Contains("No clip has a finite score", Assert.Throws<ArgumentException>(() => PairedBootstrap.Compare([double.NaN], [1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedBootstrap.Compare([1, 2], [1, 2], resamples: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedBootstrap.Compare([1, 2], [1, 2], confidence: 1));
    }
}
