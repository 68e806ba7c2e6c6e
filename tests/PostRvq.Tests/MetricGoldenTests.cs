using System.Text.Json;
using PostRvq.Metrics;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class MetricGoldenTests
{
    static readonly string GoldenDir = Path.Combine(AppContext.BaseDirectory, "golden");

    [Fact]
    public void MetricsMatchGoldenValues()
    {
        using var scope = NewDisposeScope();
        var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenDir, "metrics.json"))).RootElement;
        var (reference, sampleRate) = ReadFloatWav("reference.wav");
        var (degraded, _) = ReadFloatWav("degraded.wav");
        Assert.Equal(24000, sampleRate);

        var row = Assert.Single(AudioMetrics.Compute(reference, degraded, sampleRate));

        AssertRelative(golden.GetProperty("mel").GetDouble(), row.Mel, 1e-3);
        AssertRelative(golden.GetProperty("stft").GetDouble(), row.Stft, 1e-3);
        Assert.InRange(row.SiSdr - golden.GetProperty("si_sdr").GetDouble(), -0.01, 0.01);
        Assert.InRange(row.Snr - golden.GetProperty("snr").GetDouble(), -0.01, 0.01);
    }

    [Fact]
    public void IdenticalGoldenInputsGiveZeroDistancesAndTheCeiling()
    {
        using var scope = NewDisposeScope();
        var (reference, sampleRate) = ReadFloatWav("reference.wav");

        var row = Assert.Single(AudioMetrics.Compute(reference, reference, sampleRate));

        Assert.Equal(0.0, row.Mel);
        Assert.Equal(0.0, row.Stft);
        Assert.Equal(Decibels.Ceiling, row.SiSdr, 6);
        Assert.Equal(Decibels.Ceiling, row.Snr, 6);
    }

    static void AssertRelative(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected}, got {actual}");

    /// <summary>Reads a mono IEEE-float WAV as [1, T]: walks RIFF chunks for "fmt " and "data".</summary>
    static (Tensor Audio, int SampleRate) ReadFloatWav(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(GoldenDir, name));
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal("WAVE", System.Text.Encoding.ASCII.GetString(bytes, 8, 4));
        int? sampleRate = null;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(bytes, offset, 4);
            var size = BitConverter.ToInt32(bytes, offset + 4);
            var body = offset + 8;
            if (id == "fmt ")
            {
                var format = BitConverter.ToUInt16(bytes, body);
                Assert.True(format == 3 || format == 0xFFFE, $"format tag {format} is not IEEE float");
                Assert.Equal(1, BitConverter.ToUInt16(bytes, body + 2));
                Assert.Equal(32, BitConverter.ToUInt16(bytes, body + 14));
                sampleRate = BitConverter.ToInt32(bytes, body + 4);
            }
            else if (id == "data")
            {
                Assert.NotNull(sampleRate);
                var samples = new float[size / 4];
                Buffer.BlockCopy(bytes, body, samples, 0, samples.Length * 4);
                return (tensor(samples).unsqueeze(0), sampleRate.Value);
            }
            offset = body + size + (size & 1);
        }
        throw new InvalidDataException($"{name} has no data chunk.");
    }
}
