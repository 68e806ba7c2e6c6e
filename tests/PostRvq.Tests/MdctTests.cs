using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class MdctTests
{
    [Theory]
    [InlineData(320, 1)]
    [InlineData(320, 7)]
    [InlineData(64, 30)]
    [InlineData(5, 3)]
    public void InverseUndoesForwardExactly(int hop, int hops)
    {
        var mdct = new Mdct(hop);
        using var scope = NewDisposeScope();
        var audio = randn(3, 1, (long)hop * hops, generator: new TorchSharp.torch.Generator(11)) * 0.3;
        var coefficients = mdct.Forward(audio);
        Assert.Equal(new long[] { 3, hop, hops + 1 }, coefficients.shape);
        var back = mdct.Inverse(coefficients);
        Assert.Equal(audio.shape, back.shape);
        Assert.True((back - audio).abs().max().item<float>() < 1e-5f, "time-domain aliasing did not cancel");
    }

    [Fact]
    public void TheLappedBasisIsOrthonormalSoEnergyIsKept()
    {
        var mdct = new Mdct(320);
        using var scope = NewDisposeScope();
        var audio = randn(2, 1, 320 * 20, dtype: float64, generator: new TorchSharp.torch.Generator(3));
        var coefficients = mdct.Forward(audio);
        var ratio = coefficients.square().sum().item<double>() / audio.square().sum().item<double>();
        Assert.Equal(1.0, ratio, 9);
    }

    [Fact]
    public void ASineLandsInTheBinOfItsFrequency()
    {
        const int hop = 320, rate = 24000;
        var mdct = new Mdct(hop);
        using var scope = NewDisposeScope();
        // 3 kHz is bin k with (k + ½)·rate / (2·hop) ≈ 3000, k = 79.5 → energy in bins 79 and 80.
        var audio = tensor(TestAudio.Sine(3000, 0.4, rate).Samples.Take(hop * 30).ToArray(), [1, 1, hop * 30]);
        var energy = mdct.Forward(audio).square().sum([0, 2]);
        var peak = energy.argmax().item<long>();
        Assert.InRange(peak, 79, 80);
    }

    [Fact]
    public void BadShapesAreRefusedWithTheReason()
    {
        var mdct = new Mdct(320);
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => mdct.Forward(zeros(1, 1, 321)));
        Assert.Contains("multiple of its hop 320", error.Message);
        Assert.Throws<ArgumentException>(() => mdct.Inverse(zeros(1, 100, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Mdct(0));
    }
}
