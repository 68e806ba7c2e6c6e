using PostRvq.Metrics;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class BitrateTests
{
    [Fact]
    public void EightCodebooksOf1024At75HzAreSixKbps()
    {
        Assert.Equal(80.0, Bitrate.BitsPerFrame(8, 1024));
        Assert.Equal(6.0, Bitrate.Kbps(8, 1024, 75), 12);
        Assert.Equal(Bitrate.Kbps(8, 1024, 75), Bitrate.KbpsFromBits(Bitrate.BitsPerFrame(8, 1024), 75), 12);
    }

    static long[] Same(long size, int streams) => Enumerable.Repeat(size, streams).ToArray();

    /// <summary>
    /// The budget rule's cases: a target in kbps at a frame rate, the codebook sizes of a quantizer's streams, and how many
    /// streams fit. Equal sizes get two streams more than fit, so the rule, not the quantizer's depth, sets the count.
    /// </summary>
    public static TheoryData<string, double, double, long[], int> BudgetCases => new()
    {
        { "exact: 24 kbps = 32 × 10 bits × 75 Hz", 24, 75, Same(1024, 34), 32 },
        { "exact: 6 kbps = 8 × 10 bits × 75 Hz", 6, 75, Same(1024, 10), 8 },
        { "exact: 1.5 kbps", 1.5, 75, Same(1024, 4), 2 },
        { "exactly one codebook", 0.75, 75, Same(1024, 3), 1 },
        { "between two counts, the lower one", 5.9, 75, Same(1024, 9), 7 },
        { "float noise below 24 kbps keeps the 32nd codebook", 24 - 1e-12, 75, Same(1024, 34), 32 },
        { "a real shortfall loses it", 24 - 1e-6, 75, Same(1024, 33), 31 },
        { "float noise: 11.7 kbps / 0.9 kbps is 12.999999999999998", 11.7, 75, Same(4096, 15), 13 },
        { "float noise: 1.2 kbps / 0.4 kbps is 2.9999999999999996", 1.2, 50, Same(256, 5), 3 },
        { "below one codebook", 0.5, 75, Same(1024, 2), 0 },
        { "no budget", 0, 75, Same(1024, 2), 0 },
        // DAC 44.1 kHz, hop 512: 86.13 Hz × 10 bits = 0.861 kbps per codebook, so 9 codebooks give DAC's 7.75 kbps.
        { "DAC 44.1 kHz: 8 kbps", 8, 44100.0 / 512, Same(1024, 11), 9 },
        { "DAC 44.1 kHz: 24 kbps", 24, 44100.0 / 512, Same(1024, 29), 27 },
        { "DAC 44.1 kHz: 3 kbps", 3, 44100.0 / 512, Same(1024, 5), 3 },
        { "1-bit streams are whole bits: 3 kbps = 40 bits", 3, 75, Same(2, 42), 40 },
        { "not a power of two: 1000 = 8·5·5·5 entries, 80 bits", 6, 75, Same(1000, 10), 8 },
        { "not a power of two, exact: 3 × log2 1000 bits", 3 * Math.Log2(1000) * 75 / 1000, 75, Same(1000, 5), 3 },
        { "FSQ level products 240, 1000, 4375 in 26.7 bits", 2, 75, [240, 1000, 4375], 2 },
        { "FSQ level products, all fit", 3, 75, [240, 1000, 4375], 3 },
        { "a shallower quantizer stops at its depth", 24, 75, Same(1024, 4), 4 },
        { "a first stream larger than the budget", 0.75, 75, [4096, 2], 0 },
    };

    [Theory]
    [MemberData(nameof(BudgetCases))]
    public void BudgetRule(string name, double kbps, double frameRate, long[] sizes, int expected)
    {
        var bits = Bitrate.BitsPerFrameBudget(kbps, frameRate);
        Assert.True(expected == Bitrate.StreamsWithin(sizes, bits), name);
        // What is left out does not fit: the next stream would exceed the budget.
        if (expected < sizes.Length)
            Assert.False(Bitrate.FitsAfter(sizes.Take(expected).Sum(k => Math.Log2(k)), Math.Log2(sizes[expected]), bits), name);
        if (sizes.Distinct().Count() == 1 && expected < sizes.Length)
        {
            // Counting in bits per frame, in kbps or by prefix gives one answer.
            Assert.True(expected == Bitrate.CountWithin(bits, Math.Log2(sizes[0])), name);
            Assert.True(expected == Bitrate.CountWithin(kbps, Math.Log2(sizes[0]) * frameRate / 1000), name);
            if (kbps > 0 && long.IsPow2(sizes[0]))
                Assert.True(Math.Max(1, expected) == Bitrate.CodebooksFor(kbps, (int)sizes[0], frameRate), name);
        }
        var refused = Record.Exception(() => Bitrate.RequireOneCodebook(kbps, sizes[0], frameRate));
        Assert.True((expected == 0) == refused is ArgumentException, $"{name}: {refused?.Message}");
    }

    [Fact]
    public void RejectsBadInputs()
    {
        Assert.Throws<ArgumentException>(() => Bitrate.CodebooksFor(0, 1024, 75));
        Assert.Throws<ArgumentException>(() => Bitrate.CodebooksFor(6, 1000, 75));
        Assert.Throws<ArgumentException>(() => Bitrate.CodebooksFor(6, 1024, -75));
        Assert.Throws<ArgumentException>(() => Bitrate.Kbps(0, 1024, 75));
        Assert.Throws<ArgumentException>(() => Bitrate.Kbps(8, 1, 75));
        Assert.Throws<ArgumentException>(() => Bitrate.KbpsFromBits(80, double.NaN));
        Assert.Throws<ArgumentException>(() => Bitrate.CountWithin(double.NaN, 10));
        Assert.Throws<ArgumentException>(() => Bitrate.CountWithin(80, 0));
        Assert.Equal(0, Bitrate.CountWithin(-10, 10));
    }

    [Fact]
    public void EntropyKbpsSumsCodebookEntropiesTimesFrameRate()
    {
        using var scope = NewDisposeScope();
        // Codebook 0 uses 4 codes evenly (2 bits), codebook 1 one code (0 bits).
        var first = arange(4).repeat(2, 4).unsqueeze(1);
        var second = zeros(2, 1, 16, dtype: ScalarType.Int64);
        var codes = cat([first, second], 1);
        Assert.Equal(2.0 * 75 / 1000, Bitrate.EntropyKbps(codes, 1024, 75), 12);
        Assert.True(Bitrate.EntropyKbps(codes, 1024, 75) <= Bitrate.Kbps(2, 1024, 75));
        Assert.Throws<ArgumentException>(() => Bitrate.EntropyKbps(codes.flatten(), 1024, 75));
    }
}
