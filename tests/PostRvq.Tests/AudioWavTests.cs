using System.Buffers.Binary;
using System.Text;
using PostRvq.Audio;

namespace PostRvq.Tests;

public class AudioWavTests
{
    [Fact]
    public void Pcm16RoundTripIsWithinHalfAStep()
    {
        using var folder = new AudioTempFolder();
        var clip = TestAudio.Sine(440, 0.25, 22050);
        var path = folder.File("tone.wav");
        WavWriter.Write(path, clip);
        var read = AudioFile.Read(path);
        Assert.Equal(22050, read.SampleRate);
        Assert.Equal(clip.Length, read.Length);
        Assert.True(clip.Samples.Zip(read.Samples).Max(p => Math.Abs(p.First - p.Second)) <= 0.5f / 32768 + 1e-7f);
        Assert.Equal(44 + 2 * clip.Length, new FileInfo(path).Length);
    }

    [Fact]
    public void Pcm16ClipsOutOfRangeSamples()
    {
        using var folder = new AudioTempFolder();
        var path = folder.File("loud.wav");
        WavWriter.Write(path, new AudioClip([1.5f, -2f, 1f, -1f, 0.25f], 8000));
        Assert.Equal([32767f / 32768, -1f, 32767f / 32768, -1f, 0.25f], AudioFile.Read(path).Samples);
    }

    [Fact]
    public void Float32RoundTripIsExact()
    {
        using var folder = new AudioTempFolder();
        var clip = new AudioClip([0.1f, -1.5f, 3e-7f, 0f, 0.999f], 44100);
        var path = folder.File("float.wav");
        WavWriter.Write(path, clip, WavSampleFormat.Float32);
        var read = AudioFile.Read(path);
        Assert.Equal(clip.Samples, read.Samples);
        Assert.Equal(44100, read.SampleRate);
    }

    [Fact]
    public void WriterRejectsNonFiniteSamplesAndNamesThePath()
    {
        using var folder = new AudioTempFolder();
        var path = folder.File("nan.wav");
        var error = Assert.Throws<ArgumentException>(() => WavWriter.Write(path, new AudioClip([0f, float.NaN], 8000)));
        Assert.Equal("clip", error.ParamName);
        Assert.Contains(path, error.Message);
        Assert.False(File.Exists(path));
    }

    public static TheoryData<string, byte[], float[]> HandMadeFormats => new()
    {
        { "8-bit PCM", TestAudio.Wav(1, 1, 8000, 8, [0, 128, 255, 64]), [-1f, 0f, 127f / 128, -0.5f] },
        { "24-bit PCM", TestAudio.Wav(1, 1, 96000, 24, Int24(0x7FFFFF, -0x800000, 1, -1, 0x400000)), [8388607f / 8388608, -1f, 1f / 8388608, -1f / 8388608, 0.5f] },
        { "32-bit PCM", TestAudio.Wav(1, 1, 48000, 32, Int32(int.MinValue, 1 << 30, -(1 << 29))), [-1f, 0.5f, -0.25f] },
        { "64-bit float", TestAudio.Wav(3, 1, 44100, 64, Float64(0.25, -0.75, 1e-3)), [0.25f, -0.75f, 1e-3f] },
        { "extensible 24-bit stereo", TestAudio.Wav(1, 2, 48000, 24, Int24(0x400000, 0x200000, -0x800000, 0), extensible: true), [0.375f, -0.5f] },
        { "extensible 32-bit float", TestAudio.Wav(3, 1, 16000, 32, Float32(0.5f, -0.125f), extensible: true), [0.5f, -0.125f] },
        { "16-bit stereo", TestAudio.Wav(1, 2, 22050, 16, Int16(16384, -8192, -32768, -32768)), [0.125f, -1f] },
        { "16-bit 6 channels", TestAudio.Wav(1, 6, 8000, 16, Int16(6 * 1024, 0, 0, 0, 0, 0)), [1024f / 32768] },
    };

    [Theory]
    [MemberData(nameof(HandMadeFormats))]
    public void ReadsEveryPcmAndFloatLayoutAsMono(string layout, byte[] wav, float[] expected)
    {
        using var folder = new AudioTempFolder();
        var path = folder.WriteBytes("clip.wav", wav);
        var clip = AudioFile.Read(path);
        Assert.True(expected.Length == clip.Length, layout);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], clip.Samples[i], 1e-7f);
        }
    }

    [Fact]
    public void ExtensibleHeaderKeepsRateAndFloatSubformat()
    {
        using var folder = new AudioTempFolder();
        var path = folder.WriteBytes("ext.wav", TestAudio.Wav(3, 2, 32000, 64, Float64(0.5, 0.25, -1, 1), extensible: true));
        var clip = AudioFile.Read(path);
        Assert.Equal(32000, clip.SampleRate);
        Assert.Equal([0.375f, 0f], clip.Samples);
    }

    [Fact]
    public void SkipsUnknownChunksIncludingOddSizedOnes()
    {
        using var folder = new AudioTempFolder();
        var fmt = TestAudio.Wav(1, 1, 8000, 16, []).AsSpan(12, 24).ToArray();
        var wav = TestAudio.Riff(TestAudio.Chunk("LIST", [1, 2, 3]), fmt, TestAudio.Chunk("junk", new byte[7]), TestAudio.Chunk("data", Int16(16384, -16384)));
        var clip = AudioFile.Read(folder.WriteBytes("chunks.wav", wav));
        Assert.Equal([0.5f, -0.5f], clip.Samples);
    }

    [Fact]
    public void WrittenHeadersAreTheCanonicalOnes()
    {
        using var folder = new AudioTempFolder();
        var pcm = folder.File("pcm.wav");
        WavWriter.Write(pcm, new AudioClip([0.5f, -0.5f, 0f], 16000));
        Assert.Equal(TestAudio.Wav(1, 1, 16000, 16, Int16(16384, -16384, 0)), File.ReadAllBytes(pcm));

        var ieee = folder.File("float.wav");
        WavWriter.Write(ieee, new AudioClip([0.5f, -0.25f], 16000), WavSampleFormat.Float32);
        var bytes = File.ReadAllBytes(ieee);
        // RIFF, an 18-byte fmt chunk (cbSize 0), a fact chunk holding the sample count, then the data chunk.
        Assert.Equal(58 + 8, bytes.Length);
        Assert.Equal(18u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal((ushort)3, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(20)));
        Assert.Equal("fact", Encoding.ASCII.GetString(bytes, 38, 4));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(46)));
        Assert.Equal("data", Encoding.ASCII.GetString(bytes, 50, 4));
        Assert.Equal([0.5f, -0.25f], AudioFile.Read(ieee).Samples);
    }

    [Fact]
    public void ChannelsAreAveragedBeforeRoundingToFloat()
    {
        // Rounding each channel to float first would give 0 for both frames: 2^30 + 1 and 0.5 + 2^-40 are not floats.
        using var folder = new AudioTempFolder();
        var pcm32 = folder.WriteBytes("pcm32.wav", TestAudio.Wav(1, 2, 8000, 32, Int32((1 << 30) + 1, -(1 << 30))));
        Assert.Equal([MathF.Pow(2, -32)], AudioFile.Read(pcm32).Samples);
        var float64 = folder.WriteBytes("float64.wav", TestAudio.Wav(3, 2, 8000, 64, Float64(0.5 + Math.Pow(2, -40), -0.5)));
        Assert.Equal([MathF.Pow(2, -41)], AudioFile.Read(float64).Samples);
    }

    [Fact]
    public void PlaceholderDataSizeAfterAnOddSizedChunkReadsToTheEnd()
    {
        using var folder = new AudioTempFolder();
        var fmt = TestAudio.Wav(1, 1, 8000, 16, []).AsSpan(12, 24).ToArray();
        var data = TestAudio.Chunk("data", Int16(100, 200, 300));
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 0xFFFFFFFF);
        var wav = TestAudio.Riff(fmt, TestAudio.Chunk("junk", new byte[5]), data);
        Assert.Equal([100f / 32768, 200f / 32768, 300f / 32768], AudioFile.Read(folder.WriteBytes("odd-stream.wav", wav)).Samples);
    }

    [Fact]
    public void StreamingPlaceholderDataSizeReadsToTheEnd()
    {
        using var folder = new AudioTempFolder();
        var wav = TestAudio.Wav(1, 1, 8000, 16, Int16(100, 200, 300));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(40), 0xFFFFFFFF);
        Assert.Equal(3, AudioFile.Read(folder.WriteBytes("stream.wav", wav)).Length);
    }

    [Fact]
    public void ContentWinsOverAMisleadingExtension()
    {
        using var folder = new AudioTempFolder();
        var path = folder.File("actually-wav.mp3");
        WavWriter.Write(path, new AudioClip([0.5f, -0.5f], 8000));
        Assert.Equal([0.5f, -0.5f], AudioFile.Read(path).Samples);
    }

    [Fact]
    public void ReadAtTargetRateResamples()
    {
        using var folder = new AudioTempFolder();
        var path = folder.File("tone.wav");
        WavWriter.Write(path, TestAudio.Sine(440, 0.5, 44100), WavSampleFormat.Float32);
        var clip = AudioFile.Read(path, 24000);
        Assert.Equal(24000, clip.SampleRate);
        Assert.Equal(12000, clip.Length);
    }

    [Theory]
    [InlineData("a.wav", true)]
    [InlineData("b.OGG", true)]
    [InlineData("c.oga", true)]
    [InlineData("dir/d.Mp3", true)]
    [InlineData("e.flac", false)]
    [InlineData("wav", false)]
    public void RecognisesSupportedExtensions(string path, bool supported) => Assert.Equal(supported, AudioFile.HasSupportedExtension(path));

    static byte[] Int16(params short[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    static byte[] Int32(params int[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    static byte[] Float32(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    static byte[] Float64(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    static byte[] Int24(params int[] values) => values.SelectMany(v => BitConverter.GetBytes(v).Take(3)).ToArray();
}
