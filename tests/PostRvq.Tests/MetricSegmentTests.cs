using PostRvq.Metrics;
using static TorchSharp.torch;

namespace PostRvq.Tests;

/// <summary>
/// Long clips are scored segment by segment (<see cref="MetricSegments"/>); the result must be the whole-clip metric.
/// The segmented spectral distances see the very same STFT frames and the energies the very same samples, so only the
/// order of float64 additions differs: over the ≤ 10⁵ terms summed here that moves a value by at most ~10⁵ ulp
/// (relative 2·10⁻¹¹), and in practice by far less. A wrong frame at a segment border would move it by ~10⁻⁴.
/// </summary>
public class MetricSegmentTests
{
    const int SampleRate = 16000;
    const double Tolerance = 1e-10;
    // Longer than any clip below, so these calls take the whole-clip path.
    const int Whole = 1 << 20;

    public static TheoryData<string, int, int> Cases => new()
    {
        // metric, clip length, segment: a ragged last segment, an exact multiple, and a segment not a power of two.
        { "mel", 3 * 2048 + 777, 2048 }, { "mel", 4 * 2048, 2048 }, { "mel", 9000, 2560 },
        { "stft", 3 * 2048 + 777, 2048 }, { "stft", 4 * 2048, 2048 }, { "stft", 9000, 2560 },
        { "sisdr", 3 * 2048 + 777, 2048 }, { "sisdr", 4 * 2048, 2048 }, { "sisdr", 9000, 2560 },
        { "snr", 3 * 2048 + 777, 2048 }, { "snr", 4 * 2048, 2048 }, { "snr", 9000, 2560 },
    };

    static Tensor Metric(string name, Tensor reference, Tensor estimate, int segment) => name switch
    {
        "mel" => MelDistance.Compute(reference, estimate, SampleRate, segment),
        "stft" => StftDistance.Compute(reference, estimate, segment),
        "sisdr" => SiSdr.Compute(reference, estimate, segment),
        _ => Snr.Compute(reference, estimate, segment),
    };

    /// <summary>A batch of 2 float32 clips [2, 1, T]: a decaying chirp with an offset (so means matter) and noise.</summary>
    static (Tensor Reference, Tensor Estimate) Pair(int length)
    {
        var generator = new Generator(11);
        var t = arange(length, dtype: ScalarType.Float32) / SampleRate;
        var chirp = (t * t * 2000 * Math.PI).sin() * (-t * 3).exp() * 0.5 + 0.05;
        var reference = stack([chirp, randn(length, generator: generator) * 0.1]).unsqueeze(1);
        var estimate = reference * 0.9 + randn(2, 1, length, generator: generator) * 0.01;
        return (reference, estimate);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SegmentedEqualsWholeClip(string name, int length, int segment)
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair(length);
        Assert.True(MetricSegments.IsSegmented(length, segment));
        var whole = Metric(name, reference, estimate, Whole).data<double>().ToArray();
        var segmented = Metric(name, reference, estimate, segment).data<double>().ToArray();
        for (var i = 0; i < whole.Length; i++)
            Assert.True(Math.Abs(segmented[i] - whole[i]) <= Tolerance * Math.Abs(whole[i]), $"{name} item {i}: {segmented[i]:R} vs {whole[i]:R}");
    }

    [Fact]
    public void SegmentedAudioMetricsEqualWholeClipForAnExactEstimateAndASilentReference()
    {
        using var scope = NewDisposeScope();
        var (reference, _) = Pair(5 * 2048);
        var silent = zeros_like(reference);
        foreach (var (r, e) in new[] { (reference, reference), (silent, reference) })
        {
            var whole = AudioMetrics.Compute(r, e, SampleRate, Whole);
            var segmented = AudioMetrics.Compute(r, e, SampleRate, 2048);
            for (var i = 0; i < whole.Count; i++)
            {
                Assert.Equal(whole[i].Mel, segmented[i].Mel, 1e-10);
                Assert.Equal(whole[i].Stft, segmented[i].Stft, 1e-10);
                Assert.Equal(whole[i].SiSdr, segmented[i].SiSdr, 1e-6);
                Assert.Equal(whole[i].Snr, segmented[i].Snr, 1e-6);
            }
        }
    }

    [Fact]
    public void AClipShorterThanTwoSegmentsIsScoredWhole()
    {
        Assert.False(MetricSegments.IsSegmented(2 * 2048 - 1, 2048));
        Assert.True(MetricSegments.IsSegmented(2 * 2048, 2048));
        Assert.False(MetricSegments.IsSegmented(10 * 60 * 24000, MetricSegments.DefaultLength * 30));
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(3000)]
    public void ASegmentThatIsNotWholeHopsOrIsShorterThanAWindowIsRefused(int segment)
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair(8192);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => MelDistance.Compute(reference, estimate, SampleRate, segment));
        Assert.Contains("multiple of 512", error.Message);
    }
}
