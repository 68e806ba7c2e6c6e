using PostRvq.Audio;

namespace PostRvq.Tests;

/// <summary>Decodes the fixtures described in fixtures/README.md; reference values come from ffmpeg 5.1.</summary>
public class AudioCompressedTests
{
    [Fact]
    public void OggVorbisStereoFixtureDecodesToMono()
    {
        var clip = AudioFile.Read(TestAudio.Fixture("bell.oga"));
        Assert.Equal(44100, clip.SampleRate);
        // ffmpeg decodes 6151 frames; the channel mean has RMS 0.07570 and peak 0.2954.
        Assert.InRange(clip.Length, 6151 - 64, 6151 + 64);
        Assert.Equal(0.07570, clip.Rms, 0.002);
        Assert.Equal(0.2954, clip.Peak, 0.01);
    }

    [Fact]
    public void Mp3FixtureDecodesToItsTone()
    {
        var clip = AudioFile.Read(TestAudio.Fixture("tone440.mp3"));
        Assert.Equal(22050, clip.SampleRate);
        // 0.5 s were encoded; NLayer keeps the encoder delay and padding (under 0.1 s).
        Assert.InRange(clip.DurationSeconds, 0.5, 0.6);
        var middle = clip.Slice(0.15, 0.25).Samples;
        Assert.Equal(440, TestAudio.ZeroCrossingFrequency(middle, clip.SampleRate), 1.0);
        Assert.Equal(0.5 / Math.Sqrt(2), TestAudio.Rms(middle), 0.02);
    }

    [Fact]
    public void CompressedFixturesResampleToTheModelRate()
    {
        var clip = AudioFile.Read(TestAudio.Fixture("tone440.mp3"), 24000);
        Assert.Equal(24000, clip.SampleRate);
        Assert.Equal(440, TestAudio.ZeroCrossingFrequency(clip.Slice(0.15, 0.25).Samples, 24000), 1.0);
    }
}
