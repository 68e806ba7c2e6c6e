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

    [Fact]
    public void TheStandardizedSnrWeighsEachDimensionByItsOwnSpread()
    {
        using var scope = NewDisposeScope();
        // Spreads 400 and 4 about the per-dimension means; an error of 4 in each dimension.
        var z = tensor(new float[] { 10, 1, -10, -1, 10, 1, -10, -1 }).reshape(4, 2);
        var zq = z + tensor(new float[] { 1, 1, 1, 1, -1, -1, -1, -1 }).reshape(4, 2);
        var result = LatentError.Compute(z, zq);
        Assert.Equal(10 * Math.Log10(404.0 / 8), result.SnrDb, 6);
        Assert.Equal(-10 * Math.Log10((4.0 / 400 + 4.0 / 4) / 2), result.StandardizedSnrDb, 6);
        // A dimension without spread is left out rather than dividing by zero.
        var flat = tensor(new float[] { 10, 3, -10, 3 }).reshape(2, 2);
        var flatResult = LatentError.Compute(flat, flat + tensor(new float[] { 1, 0, -1, 0 }).reshape(2, 2));
        Assert.Equal(-10 * Math.Log10(2.0 / 200), flatResult.StandardizedSnrDb, 6);
    }
}
