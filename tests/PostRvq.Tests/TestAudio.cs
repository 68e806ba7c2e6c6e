using System.Buffers.Binary;
using System.Text;
using PostRvq.Audio;

namespace PostRvq.Tests;

/// <summary>Generated signals, hand-made WAV bytes, measurements and temporary folders for audio tests.</summary>
static class TestAudio
{
    public static AudioClip Sine(double frequency, double seconds, int sampleRate, double amplitude = 0.5)
    {
        var samples = new float[(int)Math.Round(seconds * sampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate));
        }
        return new AudioClip(samples, sampleRate);
    }

    public static double Rms(ReadOnlySpan<float> samples)
    {
        var sum = 0.0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }
        return Math.Sqrt(sum / samples.Length);
    }

    /// <summary>Frequency from the linearly interpolated rising zero crossings of a clean tone.</summary>
    public static double ZeroCrossingFrequency(ReadOnlySpan<float> samples, int sampleRate)
    {
        double? first = null;
        var last = 0.0;
        var cycles = -1;
        for (var i = 1; i < samples.Length; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                var crossing = i - 1 + samples[i - 1] / (samples[i - 1] - samples[i]);
                first ??= crossing;
                last = crossing;
                cycles++;
            }
        }
        return cycles * sampleRate / (last - first!.Value);
    }

    /// <summary>A RIFF/WAVE file with one fmt chunk (plain, or WAVE_FORMAT_EXTENSIBLE wrapping <paramref name="formatTag"/>) and one data chunk.</summary>
    public static byte[] Wav(ushort formatTag, int channels, int sampleRate, int bitsPerSample, byte[] data, bool extensible = false)
    {
        var fmt = new byte[extensible ? 40 : 16];
        var blockAlign = channels * bitsPerSample / 8;
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, extensible ? (ushort)0xFFFE : formatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), (uint)(sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)bitsPerSample);
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), (ushort)bitsPerSample);
            BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), channels == 2 ? 3u : 4u);
            // KSDATAFORMAT_SUBTYPE_* = {tag-0000-0010-8000-00AA00389B71}
            var guid = new Guid(formatTag, (ushort)0, (ushort)0x10, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71);
            guid.ToByteArray().CopyTo(fmt, 24);
        }
        return Riff(Chunk("fmt ", fmt), Chunk("data", data));
    }

    public static byte[] Riff(params byte[][] chunks)
    {
        var body = chunks.SelectMany(c => c).ToArray();
        var bytes = new byte[12 + body.Length];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(4 + body.Length));
        Encoding.ASCII.GetBytes("WAVE").CopyTo(bytes, 8);
        body.CopyTo(bytes, 12);
        return bytes;
    }

    public static byte[] Chunk(string tag, byte[] body)
    {
        var bytes = new byte[8 + body.Length + (body.Length & 1)];
        Encoding.ASCII.GetBytes(tag).CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)body.Length);
        body.CopyTo(bytes, 8);
        return bytes;
    }

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
sealed class AudioTempFolder : IDisposable
{
    public AudioTempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "postrvq-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    public string WriteBytes(string relativePath, byte[] bytes)
    {
        var path = File(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
