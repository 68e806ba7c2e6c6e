using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Latents;
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Tests;

[Collection("serial")]
public class ReconstructionTests
{
    static Autoencoder TinyModel()
    {
        manual_seed(3);
        return Autoencoder.Create(TinyExperiment.Config(1).Model);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(4801)]
    public void AnyLengthComesBackAtTheSameLength(int length)
    {
        using var model = TinyModel();
        var clip = SyntheticAudio.Clip(1.0, TinyExperiment.SampleRate, 1).SliceSamples(0, length);
        Assert.Equal(length, Reconstruction.Run(model, clip).Length);
    }

    [Fact]
    public void ChunkedOutputEqualsWholeClipOutput()
    {
        using var model = TinyModel();
        var clip = SyntheticAudio.Clip(1.3, TinyExperiment.SampleRate, 2);
        var whole = Reconstruction.Run(model, clip, new ChunkingOptions { ChunkSeconds = 10 });
        var chunked = Reconstruction.Run(model, clip, new ChunkingOptions { ChunkSeconds = 0.25, ContextSeconds = 0.1 });
        var largest = whole.Samples.Zip(chunked.Samples, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 1e-4, $"largest difference {largest}");
    }

    [Fact]
    public void AClipAtAnotherRateIsRefused()
    {
        using var model = TinyModel();
        var error = Assert.Throws<ArgumentException>(() => Reconstruction.Run(model, SyntheticAudio.Clip(0.1, 16000, 0)));
        Assert.Contains("16000", error.Message);
    }
}
