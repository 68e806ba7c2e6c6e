using PostRvq.Metrics;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class MetricCodebookUsageTests
{
    [Fact]
    public void UniformCodesUseTheWholeCodebook()
    {
        using var codes = arange(64).repeat(5).reshape(4, 80);
        var usage = CodebookUsage.Compute(codes, 64);
        Assert.Equal(64, usage.CodebookSize);
        Assert.Equal(64.0, usage.Perplexity, 9);
        Assert.Equal(1.0, usage.UsedFraction);
        Assert.Equal(0, usage.DeadCount);
        Assert.Equal(6.0, usage.EntropyBits, 9);
    }

    [Fact]
    public void OneCodeHasPerplexityOne()
    {
        using var codes = full(100, 3L);
        var usage = CodebookUsage.Compute(codes, 16);
        Assert.Equal(1.0, usage.Perplexity, 12);
        Assert.Equal(1.0 / 16, usage.UsedFraction);
        Assert.Equal(15, usage.DeadCount);
    }

    [Fact]
    public void HalfTheCodesEvenlyUsedHavePerplexityHalfTheSize()
    {
        using var codes = (arange(8) * 2).repeat(3);
        var usage = CodebookUsage.Compute(codes, 16);
        Assert.Equal(8.0, usage.Perplexity, 9);
        Assert.Equal(8, usage.DeadCount);
    }

    [Fact]
    public void RejectsOutOfRangeEmptyOrFloatCodes()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => CodebookUsage.Compute(tensor(new long[] { 0, 16 }), 16));
        Assert.Throws<ArgumentException>(() => CodebookUsage.Compute(tensor(new long[] { -1, 2 }), 16));
        Assert.Throws<ArgumentException>(() => CodebookUsage.Compute(zeros(0, dtype: ScalarType.Int64), 16));
        Assert.Throws<ArgumentException>(() => CodebookUsage.Compute(zeros(4), 16));
    }
}
