namespace PostRvq.Viz.Tests;

public class SpectrogramTests
{
    [Fact]
    public void Stft_axes_are_in_seconds_and_hertz_and_a_sine_peaks_at_its_frequency()
    {
        var clip = TestData.Sine(1500);
        var data = Spectrograms.LogStft(clip, nFft: 1024, hop: 256);
        Assert.Equal(513, data.FrequenciesHz.Length);
        Assert.Equal(1 + clip.Length / 256, data.TimesSeconds.Length);
        Assert.Equal(256.0 / 24000, data.TimesSeconds[1], 12);
        Assert.Equal(12000.0, data.FrequenciesHz[^1], 9);
        Assert.Equal(data.FrequenciesHz.Length, data.Db.Length);
        var middle = data.TimesSeconds.Length / 2;
        var loudest = Enumerable.Range(0, data.Db.Length).MaxBy(f => data.Db[f][middle]);
        Assert.Equal(1500.0, data.FrequenciesHz[loudest], 0.5 * 24000 / 1024);
    }

    [Fact]
    public void Mel_bands_rise_in_frequency_and_the_loudest_band_holds_the_sine()
    {
        var data = Spectrograms.LogMel(TestData.Sine(1000), mels: 64);
        Assert.Equal(64, data.Db.Length);
        Assert.True(data.FrequenciesHz.Zip(data.FrequenciesHz.Skip(1)).All(p => p.Second > p.First));
        var middle = data.TimesSeconds.Length / 2;
        var loudest = Enumerable.Range(0, 64).MaxBy(f => data.Db[f][middle]);
        var spacing = data.FrequenciesHz[loudest + 1] - data.FrequenciesHz[loudest - 1];
        Assert.InRange(data.FrequenciesHz[loudest], 1000 - spacing, 1000 + spacing);
    }

    [Fact]
    public void Silence_sits_at_the_log_floor()
    {
        var data = Spectrograms.LogStft(new PostRvq.Audio.AudioClip(new float[4096], 16000));
        Assert.All(data.Db.SelectMany(row => row), db => Assert.Equal(-100.0, db));
    }
}
