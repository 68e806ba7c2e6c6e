using PostRvq.Metrics;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class MetricAudioTests
{
    const int SampleRate = 16000;

    static (Tensor Reference, Tensor Estimate) Pair(int batch, int length, long seed = 7)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var reference = randn(batch, length, generator: generator) * 0.1;
        var estimate = reference * 0.8 + randn(batch, length, generator: generator) * 0.02;
        return (reference, estimate);
    }

    public static TheoryData<string> MetricNames => ["mel", "stft", "sisdr", "snr"];

    static Tensor Metric(string name, Tensor reference, Tensor estimate) => name switch
    {
        "mel" => MelDistance.Compute(reference, estimate, SampleRate),
        "stft" => StftDistance.Compute(reference, estimate),
        "sisdr" => SiSdr.Compute(reference, estimate),
        _ => Snr.Compute(reference, estimate),
    };

    [Theory]
    [MemberData(nameof(MetricNames))]
    public void BatchedEqualsPerItem(string name)
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair(3, 4000);
        var batched = Metric(name, reference, estimate);
        Assert.Equal(new long[] { 3 }, batched.shape);
        for (var i = 0; i < 3; i++)
        {
            var single = Metric(name, reference[i..(i + 1)], estimate[i..(i + 1)]);
            Assert.Equal(single.item<double>(), batched[i].item<double>(), 9);
        }
    }

    [Theory]
    [MemberData(nameof(MetricNames))]
    public void ChannelDimensionIsOptional(string name)
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair(2, 3000);
        Assert.True(Metric(name, reference, estimate).allclose(Metric(name, reference.unsqueeze(1), estimate.unsqueeze(1))));
    }

    [Theory]
    [MemberData(nameof(MetricNames))]
    public void LongerSignalIsCutToTheShorter(string name)
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair(2, 3000);
        var padded = cat([estimate, randn(2, 500)], 1);
        Assert.True(Metric(name, reference, estimate).allclose(Metric(name, reference, padded)));
        Assert.True(Metric(name, reference, estimate).allclose(Metric(name, cat([reference, randn(2, 300)], 1), estimate)));
    }

    [Fact]
    public void DistancesAreZeroAndRatiosAtTheCeilingForIdenticalInputs()
    {
        using var scope = NewDisposeScope();
        var (reference, _) = Pair(2, 3000);
        Assert.True(MelDistance.Compute(reference, reference, SampleRate).eq(0).all().item<bool>());
        Assert.True(StftDistance.Compute(reference, reference).eq(0).all().item<bool>());
        Assert.True(SiSdr.Compute(reference, reference).allclose(full(2, Decibels.Ceiling, dtype: ScalarType.Float64)));
        Assert.True(Snr.Compute(reference, reference).allclose(full(2, Decibels.Ceiling, dtype: ScalarType.Float64)));
    }

    [Fact]
    public void MoreNoiseGivesWorseMetrics()
    {
        using var scope = NewDisposeScope();
        var (reference, _) = Pair(1, 8000);
        var noise = randn(1, 8000);
        var rows = new[] { 0.001, 0.01, 0.1 }
            .Select(level => Assert.Single(AudioMetrics.Compute(reference, reference + noise * level, SampleRate)))
            .ToList();
        for (var i = 1; i < rows.Count; i++)
        {
            Assert.True(rows[i].Mel > rows[i - 1].Mel);
            Assert.True(rows[i].Stft > rows[i - 1].Stft);
            Assert.True(rows[i].SiSdr < rows[i - 1].SiSdr);
            Assert.True(rows[i].Snr < rows[i - 1].Snr);
        }
    }

    [Fact]
    public void SiSdrIgnoresTheEstimateScaleButSnrDoesNot()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair(2, 4000);
        Assert.True(SiSdr.Compute(reference, estimate).allclose(SiSdr.Compute(reference, estimate * 3.0)));
        Assert.True(SiSdr.Compute(reference, estimate).allclose(SiSdr.Compute(reference, estimate * 0.25)));
        Assert.False(Snr.Compute(reference, estimate).allclose(Snr.Compute(reference, estimate * 3.0)));
    }

    [Fact]
    public void SnrOfHalfAmplitudeIsSixDecibels()
    {
        using var scope = NewDisposeScope();
        var (reference, _) = Pair(1, 4000);
        Assert.Equal(10 * Math.Log10(4), Snr.Compute(reference, reference * 0.5).item<double>(), 9);
    }

    [Fact]
    public void AudioMetricsRowsMatchTheSingleMetricsAndAverage()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair(2, 4000);
        var rows = AudioMetrics.Compute(reference, estimate, SampleRate);
        Assert.Equal(2, rows.Count);
        Assert.Equal(MelDistance.Compute(reference, estimate, SampleRate)[1].item<double>(), rows[1].Mel, 12);
        Assert.Equal(Snr.Compute(reference, estimate)[0].item<double>(), rows[0].Snr, 12);
        var mean = AudioMetrics.Mean(rows);
        Assert.Equal((rows[0].SiSdr + rows[1].SiSdr) / 2, mean.SiSdr, 12);
        Assert.Throws<ArgumentException>(() => AudioMetrics.Mean([]));
    }

    [Fact]
    public void ComputingMetricsLeavesNoLiveTensors()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair(2, 3000);
        var stats = TorchSharp.DisposeScopeManager.Statistics;
        var before = stats.ThreadTotalLiveCount;
        AudioMetrics.Compute(reference, estimate, SampleRate);
        Assert.Equal(before, stats.ThreadTotalLiveCount);
    }

    [Fact]
    public void RejectsMismatchedBatches()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => Snr.Compute(randn(2, 100), randn(3, 100)));
    }
}
