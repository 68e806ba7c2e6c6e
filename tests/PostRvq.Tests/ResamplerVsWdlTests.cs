using NAudio.Wave;
using NAudio.Wave.SampleProviders;
using PostRvq.Audio;
using Xunit.Abstractions;

namespace PostRvq.Tests;

/// <summary>
/// The project's Kaiser-windowed sinc resampler against NAudio's managed WDL resampler on the same tones: it is kept
/// only while it lets less of a tone above the new Nyquist through. The figures printed here are the ones in docs/performance.md.
/// </summary>
public class ResamplerVsWdlTests(ITestOutputHelper output)
{
    public static TheoryData<int, int, double> TonesAboveTheOutputNyquist => new()
    {
        { 44100, 24000, 13000 },
        { 44100, 24000, 20000 },
        { 48000, 24000, 14000 },
        { 48000, 24000, 20000 },
    };

    [Theory]
    [MemberData(nameof(TonesAboveTheOutputNyquist))]
    public void LetsLessOfAToneAboveTheNewNyquistThroughThanWdl(int inputRate, int outputRate, double frequency)
    {
        var tone = TestAudio.Sine(frequency, 1, inputRate);
        var ours = LevelDb(tone, Resampler.Resample(tone, outputRate));
        var wdl = LevelDb(tone, WdlResample(tone, outputRate));
        output.WriteLine($"{inputRate} -> {outputRate} Hz, {frequency / 1000} kHz tone: Kaiser sinc {ours:F1} dB, WDL {wdl:F1} dB");
        Assert.True(ours < wdl - 20, $"Kaiser sinc {ours:F1} dB against WDL {wdl:F1} dB");
        Assert.True(ours < -80, $"{frequency} Hz only {ours:F1} dB down");
    }

    [Theory]
    [InlineData(44100, 24000)]
    [InlineData(48000, 24000)]
    public void PassbandRippleOfBoth(int inputRate, int outputRate)
    {
        // Tones from 100 Hz to 0.85 of the output Nyquist, where both filters should pass the signal unchanged.
        var frequencies = Enumerable.Range(1, 102).Select(i => i * 100.0).ToArray();
        var ours = frequencies.Select(f => LevelDb(TestAudio.Sine(f, 1, inputRate), Resampler.Resample(TestAudio.Sine(f, 1, inputRate), outputRate))).ToArray();
        var wdl = frequencies.Select(f => LevelDb(TestAudio.Sine(f, 1, inputRate), WdlResample(TestAudio.Sine(f, 1, inputRate), outputRate))).ToArray();
        output.WriteLine($"{inputRate} -> {outputRate} Hz, 0.1-10.2 kHz: Kaiser sinc ripple {ours.Min():F4} .. {ours.Max():F4} dB, WDL {wdl.Min():F4} .. {wdl.Max():F4} dB"
            + $" (WDL 1 dB down from {FirstBelow(frequencies, wdl, -1)} Hz, 3 dB down from {FirstBelow(frequencies, wdl, -3)} Hz)");
        Assert.InRange(ours.Min(), -0.01, 0.01);
        Assert.InRange(ours.Max(), -0.01, 0.01);
    }

    static double FirstBelow(double[] frequencies, double[] levelsDb, double thresholdDb) =>
        frequencies.Zip(levelsDb).Where(p => p.Second < thresholdDb).Select(p => p.First).DefaultIfEmpty(double.NaN).First();

    /// <summary>The output's level against the input's in dB, skipping 0.1 s at each end where either filter starts up.</summary>
    static double LevelDb(AudioClip input, AudioClip resampled) =>
        20 * Math.Log10(TestAudio.Rms(Middle(resampled)) / TestAudio.Rms(Middle(input)));

    static ReadOnlySpan<float> Middle(AudioClip clip)
    {
        var edge = clip.SampleRate / 10;
        return clip.Samples.AsSpan(edge, clip.Length - 2 * edge);
    }

    static AudioClip WdlResample(AudioClip clip, int outputRate)
    {
        var resampler = new WdlResamplingSampleProvider(new ClipProvider(clip), outputRate);
        var samples = new List<float>();
        var buffer = new float[4096];
        int read;
        while ((read = resampler.Read(buffer.AsSpan())) > 0)
        {
            samples.AddRange(buffer.AsSpan(0, read));
        }
        return new AudioClip([.. samples], outputRate);
    }

    sealed class ClipProvider(AudioClip clip) : ISampleProvider
    {
        int position;

        public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(clip.SampleRate, 1);

        public int Read(Span<float> buffer)
        {
            var count = Math.Min(buffer.Length, clip.Length - position);
            clip.Samples.AsSpan(position, count).CopyTo(buffer);
            position += count;
            return count;
        }
    }
}
