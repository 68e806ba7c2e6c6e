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

    [Theory]
    [InlineData(24.0, 1024, 75.0, 32)]
    [InlineData(6.0, 1024, 75.0, 8)]
    [InlineData(1.5, 1024, 75.0, 2)]
    [InlineData(5.9, 1024, 75.0, 7)]
    // DAC 44.1 kHz, hop 512: 86.13 Hz × 10 bits = 0.861 kbps per codebook, so 9 codebooks give DAC's 7.75 kbps.
    [InlineData(8.0, 1024, 44100.0 / 512, 9)]
    [InlineData(24.0, 1024, 44100.0 / 512, 27)]
    [InlineData(3.0, 1024, 44100.0 / 512, 3)]
    [InlineData(0.1, 1024, 75.0, 1)]
    public void CodebooksForIsTheLargestCountWithinTheTarget(double kbps, int size, double frameRate, int expected)
    {
        var count = Bitrate.CodebooksFor(kbps, size, frameRate);
        Assert.Equal(expected, count);
        if (Bitrate.Kbps(count, size, frameRate) <= kbps + 1e-9)
            Assert.True(Bitrate.Kbps(count + 1, size, frameRate) > kbps);
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
