using PostRvq.Audio;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class AudioTensorsTests
{
    [Fact]
    public void OneClipBecomesABatchOfOne()
    {
        var samples = new[] { 0.1f, -0.2f, 0.3f };
        using var batch = AudioTensors.ToBatch(new AudioClip(samples, 24000));
        Assert.Equal([1L, 1, 3], batch.shape);
        Assert.Equal(ScalarType.Float32, batch.dtype);
        samples[0] = 9;
        Assert.Equal([0.1f, -0.2f, 0.3f], batch.data<float>().ToArray());
    }

    [Fact]
    public void ClipsArePaddedOrTruncatedToTheLength()
    {
        var clips = new[] { new AudioClip([1f, 2f], 8000), new AudioClip([3f, 4f, 5f, 6f, 7f], 8000) };
        using var batch = AudioTensors.ToBatch(clips, 4);
        Assert.Equal([2L, 1, 4], batch.shape);
        Assert.Equal([1f, 2f, 0f, 0f, 3f, 4f, 5f, 6f], batch.data<float>().ToArray());
    }

    [Theory]
    [InlineData(new long[] { 4 })]
    [InlineData(new long[] { 1, 4 })]
    [InlineData(new long[] { 1, 1, 4 })]
    public void ToClipAcceptsOneClipShapes(long[] shape)
    {
        using var audio = arange(4, dtype: ScalarType.Float64).reshape(shape);
        var clip = AudioTensors.ToClip(audio, 16000);
        Assert.Equal([0f, 1f, 2f, 3f], clip.Samples);
        Assert.Equal(16000, clip.SampleRate);
    }

    [Theory]
    [InlineData(new long[] { 2, 4 })]
    [InlineData(new long[] { 1, 2, 4 })]
    [InlineData(new long[] { 1, 1, 1, 4 })]
    public void ToClipRejectsSeveralClipsOrChannels(long[] shape)
    {
        using var audio = zeros(shape);
        Assert.Throws<ArgumentException>(() => AudioTensors.ToClip(audio, 16000));
    }

    [Fact]
    public void ClipSurvivesATensorRoundTrip()
    {
        var clip = TestAudio.Sine(300, 0.01, 24000);
        using var batch = AudioTensors.ToBatch(clip);
        Assert.Equal(clip.Samples, AudioTensors.ToClip(batch, 24000).Samples);
    }
}
