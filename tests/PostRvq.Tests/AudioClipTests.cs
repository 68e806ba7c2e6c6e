using PostRvq.Audio;

namespace PostRvq.Tests;

public class AudioClipTests
{
    [Fact]
    public void ConstructorRejectsNullSamplesAndNonPositiveRates()
    {
        Assert.Throws<ArgumentNullException>(() => new AudioClip(null!, 24000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioClip([0f], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioClip([0f], 24000) with { SampleRate = -1 });
    }

    [Fact]
    public void LengthAndDurationFollowTheSamples()
    {
        var clip = new AudioClip(new float[36000], 24000);
        Assert.Equal(36000, clip.Length);
        Assert.Equal(1.5, clip.DurationSeconds);
    }

    [Fact]
    public void LevelsOfAFullScaleSine()
    {
        var clip = TestAudio.Sine(1000, 1, 48000, amplitude: 1);
        Assert.Equal(1f, clip.Peak, 1e-4f);
        Assert.Equal(1 / Math.Sqrt(2), clip.Rms, 1e-6);
        Assert.Equal(-3.0103, clip.RmsDbfs, 1e-3);
        Assert.Equal(double.NegativeInfinity, new AudioClip(new float[10], 8000).RmsDbfs);
    }

    [Fact]
    public void SliceSamplesCopiesTheRange()
    {
        var clip = new AudioClip([0f, 1f, 2f, 3f, 4f], 10);
        var slice = clip.SliceSamples(1, 3);
        Assert.Equal([1f, 2f, 3f], slice.Samples);
        slice.Samples[0] = 99;
        Assert.Equal(1f, clip.Samples[1]);
        Assert.Empty(clip.SliceSamples(5, 0).Samples);
    }

    [Theory]
    [InlineData(-1, 1, "start")]
    [InlineData(6, 0, "start")]
    [InlineData(0, -1, "count")]
    [InlineData(3, 3, "count")]
    public void SliceSamplesOutOfRangeNamesTheArgument(int start, int count, string argument)
    {
        var clip = new AudioClip(new float[5], 10);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => clip.SliceSamples(start, count));
        Assert.Equal(argument, error.ParamName);
    }

    [Fact]
    public void SliceInSecondsRoundsToSamples()
    {
        var clip = new AudioClip(Enumerable.Range(0, 100).Select(i => (float)i).ToArray(), 100);
        var slice = clip.Slice(0.25, 0.5);
        Assert.Equal(50, slice.Length);
        Assert.Equal(25f, slice.Samples[0]);
        Assert.Equal("lengthSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => clip.Slice(0.6, 0.5)).ParamName);
        Assert.Equal("startSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => clip.Slice(1.5, 0)).ParamName);
    }

    [Fact]
    public void NormalizedSetsThePeakAndKeepsTheShape()
    {
        var clip = new AudioClip([0.1f, -0.2f, 0.05f], 8000);
        var normalized = clip.Normalized(-6);
        Assert.Equal(Math.Pow(10, -6 / 20.0), normalized.Peak, 1e-6);
        Assert.Equal(-0.5f, normalized.Samples[0] / normalized.Samples[1], 1e-6f);
        Assert.Equal(0.1f, clip.Samples[0]);
        Assert.Equal(new float[3], new AudioClip(new float[3], 8000).Normalized(0).Samples);
    }
}
