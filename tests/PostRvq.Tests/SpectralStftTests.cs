using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class SpectralStftTests
{
    [Fact]
    public void MagnitudeHasOneSidedBinsAndCenteredFrameCount()
    {
        using var scope = NewDisposeScope();
        var audio = randn(3, 1000);
        var magnitude = Stft.Magnitude(audio, 256, 64);
        Assert.Equal(new long[] { 3, 129, 1 + 1000 / 64 }, magnitude.shape);
    }

    [Fact]
    public void ChannelDimensionIsOptional()
    {
        using var scope = NewDisposeScope();
        var audio = randn(2, 800);
        Assert.True(Stft.Magnitude(audio, 128, 32).allclose(Stft.Magnitude(audio.unsqueeze(1), 128, 32)));
    }

    [Fact]
    public void SinusoidOnABinPeaksAtThatBin()
    {
        using var scope = NewDisposeScope();
        const int nFft = 64;
        var t = arange(2048, dtype: ScalarType.Float64);
        var audio = (2 * Math.PI * 8 / nFft * t).sin().unsqueeze(0);
        var magnitude = Stft.Magnitude(audio, nFft, 16);
        // A full periodic-Hann frame of a unit sinusoid on bin 8 has |X| = nFft/4 at bin 8.
        var middle = magnitude[0, .., 64];
        Assert.Equal(8, middle.argmax().item<long>());
        Assert.Equal(nFft / 4.0, middle[8].item<double>(), 6);
    }

    [Fact]
    public void StableMagnitudeMatchesMagnitudeAboveTheLogFloor()
    {
        using var scope = NewDisposeScope();
        var audio = randn(2, 4000);
        var exact = Stft.Magnitude(audio, 512, 128);
        var stable = Stft.StableMagnitude(audio, 512, 128);
        Assert.True((stable - exact).abs().max().item<float>() <= 1e-5f);
    }

    [Fact]
    public void StableMagnitudeHasFiniteGradientsOnSilence()
    {
        using var scope = NewDisposeScope();
        var audio = zeros(1, 1000, requires_grad: true);
        Stft.StableMagnitude(audio, 256, 64).sum().backward();
        Assert.True(audio.grad is not null && audio.grad.isfinite().all().item<bool>());
    }

    [Fact]
    public void SignalsShorterThanTheReflectPadAreZeroPadded()
    {
        using var scope = NewDisposeScope();
        var magnitude = Stft.Magnitude(ones(2, 100), 2048, 512);
        Assert.Equal(new long[] { 2, 1025, 1 }, magnitude.shape);
        // The frame sees the 100 ones and zeros: its DC term is the windowed sum of the ones.
        Assert.True(magnitude[0, 0, 0].item<float>() > 0f);
    }

    [Fact]
    public void RejectsMultichannelAudio()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => Stft.Magnitude(randn(2, 2, 100), 64, 16));
    }
}
