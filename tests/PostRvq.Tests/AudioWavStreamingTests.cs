using System.Buffers.Binary;
using System.Text;
using PostRvq.Audio;

namespace PostRvq.Tests;

/// <summary>WAV samples are decoded from the file in blocks of 64 Ki frames; frames on either side of a block border must come out right.</summary>
public class AudioWavStreamingTests
{
    [Fact]
    public void StereoFileLongerThanSeveralBlocksIsDownmixedFrameByFrame()
    {
        using var folder = new AudioTempFolder();
        const int frames = 3 * 65536 + 123;
        // Left counts up, right counts down: each frame's mean is known and differs from its neighbours'.
        var data = new byte[frames * 4];
        for (var i = 0; i < frames; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(4 * i), (short)(i % 30000));
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(4 * i + 2), (short)(-(i % 7000)));
        }
        var path = folder.File("long-stereo.wav");
        File.WriteAllBytes(path, Wav(channels: 2, sampleRate: 8000, data));
        var clip = AudioFile.Read(path);
        Assert.Equal(frames, clip.Length);
        Assert.Equal(8000, clip.SampleRate);
        for (var i = 0; i < frames; i++)
            Assert.Equal((float)((i % 30000 - i % 7000) / 32768.0 * 0.5), clip.Samples[i]);
    }

    [Fact]
    public void DecodingReadsTheFileOneBlockAtATime()
    {
        const int frames = 3 * 65536;
        var wav = Wav(channels: 2, sampleRate: 8000, new byte[frames * 4]);
        using var stream = new ReadCountingStream(wav);
        using var decoder = WavDecoder.Open("blocks.wav", stream);
        var blocks = 0;
        foreach (var block in decoder.MonoBlocks())
        {
            blocks++;
            // Only the header and the blocks handed out so far have been read.
            Assert.True(stream.Position <= 44 + blocks * 65536L * 4, $"{stream.Position} bytes read after {blocks} blocks");
        }
        Assert.Equal(3, blocks);
        Assert.True(stream.LargestRead <= 65536 * 4, $"one read of {stream.LargestRead} bytes");
    }

    sealed class ReadCountingStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public int LargestRead { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            LargestRead = Math.Max(LargestRead, buffer.Length);
            return base.Read(buffer);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            LargestRead = Math.Max(LargestRead, count);
            return base.Read(buffer, offset, count);
        }
    }

    [Theory]
    [InlineData(44100, 24000)]
    [InlineData(48000, 24000)]
    [InlineData(22050, 24000)]
    public void ReadingAtAnotherRateResamplesWhileDecodingWithTheWholeClipResult(int fileRate, int targetRate)
    {
        using var folder = new AudioTempFolder();
        const int frames = 2 * 65536 + 999;
        var data = new byte[frames * 4];
        var random = new Random(3);
        for (var i = 0; i < data.Length; i += 2) BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(i), (short)random.Next(-20000, 20000));
        var path = folder.File("noise.wav");
        File.WriteAllBytes(path, Wav(channels: 2, fileRate, data));
        var streamed = AudioFile.Read(path, targetRate);
        var whole = Resampler.Resample(AudioFile.Read(path), targetRate);
        Assert.Equal(targetRate, streamed.SampleRate);
        Assert.Equal(whole.Samples, streamed.Samples);
    }

    [Fact]
    public void AnOutOfRangeSampleIsNamedByItsPositionInTheFileWhenResamplingWhileDecoding()
    {
        using var folder = new AudioTempFolder();
        const int frames = 65536 + 500;
        var samples = new float[frames];
        samples[65536 + 7] = float.NaN;
        var nan = folder.File("nan.wav");
        File.WriteAllBytes(nan, TestAudio.Wav(3, 1, 44100, 32, FloatBytes(samples)));
        Assert.Contains("sample 65543 is NaN", Assert.Throws<AudioFormatException>(() => AudioFile.Read(nan, 24000)).Message);

        samples[65536 + 7] = 0;
        samples[3] = 0.5f;
        samples[65536 + 100] = -9f;
        var loud = folder.File("loud.wav");
        File.WriteAllBytes(loud, TestAudio.Wav(3, 1, 44100, 32, FloatBytes(samples)));
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Read(loud, 24000)).Message;
        Assert.Contains("the peak sample is -9 (sample 65636)", error);
        Assert.Contains("loud.wav", error);
    }

    static byte[] FloatBytes(float[] samples)
    {
        var bytes = new byte[samples.Length * 4];
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), samples[i]);
        return bytes;
    }

    static byte[] Wav(int channels, int sampleRate, byte[] data)
    {
        var header = new byte[44];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(header, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(36 + data.Length));
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(header, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), (uint)(sampleRate * channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(32), (ushort)(channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(34), 16);
        Encoding.ASCII.GetBytes("data").CopyTo(header, 36);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)data.Length);
        return [.. header, .. data];
    }
}
