using System.Diagnostics;
using PostRvq.Audio;

namespace PostRvq.Tests;

public class ResamplerTests
{
    [Theory]
    [InlineData(44100, 24000, 1)]
    [InlineData(44100, 24000, 37)]
    [InlineData(24000, 44100, 500)]
    [InlineData(48000, 16000, 4096)]
    [InlineData(44101, 24000, 100000)]
    public void BlocksCutAnywhereGiveTheWholeClipResultBitForBit(int inputRate, int outputRate, int largestBlock)
    {
        var random = new Random(inputRate + largestBlock);
        var samples = Enumerable.Range(0, 20011).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var whole = Resampler.Resample(new AudioClip(samples, inputRate), outputRate).Samples;
        var blocks = new List<ReadOnlyMemory<float>>();
        for (var start = 0; start < samples.Length;)
        {
            // Empty blocks and blocks shorter than the filter must be taken in stride.
            var size = Math.Min(random.Next(0, largestBlock + 1), samples.Length - start);
            blocks.Add(samples.AsMemory(start, size));
            start += size;
        }
        Assert.Equal(whole, Resampler.Resample(blocks, samples.Length, inputRate, outputRate));
    }

    [Fact]
    public void BlocksHoldingMoreOrLessThanPromisedAreRefused()
    {
        float[] samples = [.. Enumerable.Repeat(0.1f, 1000)];
        Assert.Contains("end after 1000", Assert.Throws<ArgumentException>(() => Resampler.Resample([samples], 1500, 44100, 24000)).Message);
        Assert.Contains("more than the 900", Assert.Throws<ArgumentException>(() => Resampler.Resample([samples], 900, 44100, 24000)).Message);
        ReadOnlyMemory<float>[] twoBlocks = [samples, samples];
        Assert.Contains("more than the 1000", Assert.Throws<ArgumentException>(() => Resampler.Resample(twoBlocks, 1000, 44100, 24000)).Message);
    }

    [Fact]
    public void SameRateReturnsTheSameClip()
    {
        var clip = TestAudio.Sine(1000, 0.1, 24000);
        Assert.Same(clip, Resampler.Resample(clip, 24000));
    }

    [Fact]
    public void ToneAboveTheOutputNyquistIsRemoved()
    {
        // 20 kHz at 44.1 kHz would alias to 4 kHz at 24 kHz; it must come out at least 60 dB below a 1 kHz tone.
        var reference = Middle(Resampler.Resample(TestAudio.Sine(1000, 1, 44100), 24000));
        var aliased = Middle(Resampler.Resample(TestAudio.Sine(20000, 1, 44100), 24000));
        var attenuationDb = 20 * Math.Log10(TestAudio.Rms(aliased) / TestAudio.Rms(reference));
        Assert.True(attenuationDb < -60, $"20 kHz only {attenuationDb:F1} dB down");
    }

    [Fact]
    public void UpsamplingLeavesNoImages()
    {
        // 7 kHz at 16 kHz has its first image at 9 kHz, inside the 24 kHz output band.
        var output = Resampler.Resample(TestAudio.Sine(7000, 1, 16000), 24000);
        var middle = Middle(output);
        var imageDb = 20 * Math.Log10(ToneAmplitude(middle, 24000, 9000) / ToneAmplitude(middle, 24000, 7000));
        Assert.True(imageDb < -60, $"9 kHz image only {imageDb:F1} dB down");
    }

    [Theory]
    [InlineData(44100, 24000)]
    [InlineData(48000, 24000)]
    [InlineData(22050, 24000)]
    [InlineData(16000, 24000)]
    [InlineData(24000, 44100)]
    [InlineData(44101, 24000)]
    public void OneKilohertzKeepsItsFrequencyAndLevel(int inputRate, int outputRate)
    {
        var input = TestAudio.Sine(1000, 1, inputRate);
        var output = Resampler.Resample(input, outputRate);
        Assert.Equal(outputRate, output.SampleRate);
        Assert.Equal((int)Math.Round((double)input.Length * outputRate / inputRate, MidpointRounding.AwayFromZero), output.Length);
        var middle = Middle(output);
        Assert.Equal(1000, TestAudio.ZeroCrossingFrequency(middle, outputRate), 0.5);
        var levelChangeDb = 20 * Math.Log10(TestAudio.Rms(middle) / TestAudio.Rms(Middle(input)));
        Assert.InRange(levelChangeDb, -0.1, 0.1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(147)]
    [InlineData(1000)]
    public void OutputLengthIsTheRoundedRatio(int length)
    {
        var clip = new AudioClip(new float[length], 44100);
        var expected = (int)Math.Round(length * 24000.0 / 44100, MidpointRounding.AwayFromZero);
        Assert.Equal(expected, Resampler.Resample(clip, 24000).Length);
    }

    [Fact]
    public void ConstantSignalKeepsItsValueAwayFromTheEdges()
    {
        var output = Resampler.Resample(new AudioClip(Enumerable.Repeat(0.5f, 22050).ToArray(), 22050), 24000);
        Assert.All(Middle(output).ToArray(), s => Assert.Equal(0.5f, s, 1e-4f));
    }

    // Skips 0.1 s at each end, where the filter runs into the zeros outside the clip.
    static ReadOnlySpan<float> Middle(AudioClip clip)
    {
        var edge = clip.SampleRate / 10;
        return clip.Samples.AsSpan(edge, clip.Length - 2 * edge);
    }

    // Amplitude of one frequency by a Hann-windowed single-bin DFT.
    static double ToneAmplitude(ReadOnlySpan<float> samples, int sampleRate, double frequency)
    {
        double re = 0, im = 0, windowSum = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var window = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (samples.Length - 1));
            var phase = 2 * Math.PI * frequency * i / sampleRate;
            re += window * samples[i] * Math.Cos(phase);
            im -= window * samples[i] * Math.Sin(phase);
            windowSum += window;
        }
        return 2 * Math.Sqrt(re * re + im * im) / windowSum;
    }
}
