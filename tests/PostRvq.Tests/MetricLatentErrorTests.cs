using PostRvq.Metrics;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class MetricLatentErrorTests
{
    [Fact]
    public void PerfectReconstructionHasZeroMseAndTheCeiling()
    {
        using var scope = NewDisposeScope();
        var z = randn(100, 8);
        var result = LatentError.Compute(z, z.clone());
        Assert.Equal(0.0, result.Mse);
        Assert.Equal(Decibels.Ceiling, result.SnrDb, 9);
    }

    [Fact]
    public void PerDimensionMeanGivesZeroDecibels()
    {
        using var scope = NewDisposeScope();
        // Columns with very different offsets: only a per-dimension mean gives 0 dB.
        var z = randn(200, 4) + tensor(new float[] { 10, -5, 0, 3 });
        var result = LatentError.Compute(z, z.mean([0], keepdim: true).expand(200, 4));
        Assert.Equal(0.0, result.SnrDb, 6);
    }

    [Fact]
    public void ChannelFirstLatentsUseTheMeanOverBatchAndTime()
    {
        using var scope = NewDisposeScope();
        var z = randn(3, 4, 50) + tensor(new float[] { 10, -5, 0, 3 }).reshape(1, 4, 1);
        var result = LatentError.Compute(z, z.mean([0, 2], keepdim: true).expand(3, 4, 50));
        Assert.Equal(0.0, result.SnrDb, 6);
        // The same frames as a [N, D] dataset give the same numbers.
        var flat = LatentError.Compute(z.permute(0, 2, 1).reshape(150, 4), z.mean([0, 2], keepdim: true).expand(3, 4, 50).permute(0, 2, 1).reshape(150, 4));
        Assert.Equal(result.SnrDb, flat.SnrDb, 6);
    }

    [Fact]
    public void MseAndSnrOfKnownNoise()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new float[] { 1, -1, 1, -1 }).reshape(4, 1);
        var zq = z + tensor(new float[] { 0.1f, -0.1f, 0.1f, -0.1f }).reshape(4, 1);
        var result = LatentError.Compute(z, zq);
        Assert.Equal(0.01, result.Mse, 6);
        Assert.Equal(20.0, result.SnrDb, 5);
    }

    [Fact]
    public void RejectsMismatchedOrUnsupportedShapes()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => LatentError.Compute(randn(10, 4), randn(10, 5)));
        Assert.Throws<ArgumentException>(() => LatentError.Compute(randn(10), randn(10)));
    }
}
