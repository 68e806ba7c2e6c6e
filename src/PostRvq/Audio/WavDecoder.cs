using System.Buffers.Binary;
using System.Text;
using NAudio.Wave;

namespace PostRvq.Audio;

/// <summary>
/// Reads RIFF/WAVE files with NAudio's <see cref="WaveFileReader"/>, streamed in blocks: 8/16/24/32-bit integer PCM and
/// 32/64-bit IEEE float, plain or WAVE_FORMAT_EXTENSIBLE, any channel count and rate, downmixed to mono by averaging.
/// Does not handle RIFX (big-endian), RF64 (over 4 GB), or compressed encodings (ADPCM, µ-law, A-law): those are
/// reported as unsupported. Every failure is an <see cref="AudioFormatException"/> naming the file.
/// </summary>
static class WavDecoder
{
    // Writers that stream a WAV of unknown length leave this size and never patch it.
    const uint StreamingPlaceholderSize = 0xFFFFFFFF;

    public static bool LooksLikeWav(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 12 && IsTag(bytes, 8, "WAVE") && (IsTag(bytes, 0, "RIFF") || IsTag(bytes, 0, "RIFX") || IsTag(bytes, 0, "RF64"));

    /// <summary>
    /// Decodes the WAV in <paramref name="stream"/> (seekable, from its start); only the header chunks and one block of
    /// samples are held in memory at a time, so a long file costs its mono samples and no more.
    /// </summary>
    public static AudioClip Decode(string path, Stream stream)
    {
        using var wav = Open(path, stream);
        return wav.ReadAll();
    }

    /// <summary>Parses the header of the WAV in <paramref name="stream"/> (seekable, from its start); no samples are read yet.</summary>
    /// <remarks>The stream stays open when the returned reader is disposed.</remarks>
    public static WavMonoStream Open(string path, Stream stream)
    {
        var head = new byte[12];
        stream.Position = 0;
        var headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (headLength < 12)
        {
            throw new AudioFormatException(path, $"truncated header: {headLength} bytes is too short for a RIFF/WAVE header");
        }
        if (!IsTag(head, 8, "WAVE"))
        {
            throw new AudioFormatException(path, "not a WAV file: no RIFF/WAVE header");
        }
        if (!IsTag(head, 0, "RIFF"))
        {
            throw new AudioFormatException(path, $"unsupported WAV variant '{Encoding.ASCII.GetString(head, 0, 4)}' (only little-endian RIFF is supported)");
        }
        stream.Position = 0;
        WaveFileReader reader;
        try
        {
            reader = new WaveFileReader(stream);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or EndOfStreamException or ArgumentException)
        {
            throw new AudioFormatException(path, HeaderError(e), e);
        }
        try
        {
            var format = SupportedFormat(path, reader.WaveFormat);
            RequireWholeDataChunk(path, stream);
            var frames = reader.Length / format.BlockAlign;
            if (frames > Array.MaxLength)
            {
                throw new AudioFormatException(path, $"too long: {frames} frames are more than one clip can hold");
            }
            return new WavMonoStream(reader, format, (int)frames);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>One line for what NAudio found wrong with the header chunks.</summary>
    static string HeaderError(Exception e) => e switch
    {
        EndOfStreamException => "truncated header: the file ends inside its fmt chunk or a chunk header",
        FormatException when e.Message.Contains("data chunk", StringComparison.OrdinalIgnoreCase) => "truncated or corrupt header: no data chunk",
        FormatException when e.Message.Contains("fmt chunk", StringComparison.OrdinalIgnoreCase) => "truncated or corrupt header: no fmt chunk",
        _ => $"unsupported WAV encoding or corrupt header ({e.Message})",
    };

    /// <summary>
    /// NAudio cuts a data chunk that runs past the end of the file to the bytes that are there; a file that ends early
    /// is refused instead, unless its data size is the streaming placeholder. The reader leaves
    /// <paramref name="stream"/> at the first sample, just after the data chunk's size.
    /// </summary>
    static void RequireWholeDataChunk(string path, Stream stream)
    {
        var dataOffset = stream.Position;
        Span<byte> header = stackalloc byte[8];
        stream.Position = dataOffset - header.Length;
        stream.ReadExactly(header);
        var declared = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        var available = stream.Length - dataOffset;
        if (IsTag(header, 0, "data") && declared > available && declared != StreamingPlaceholderSize)
        {
            throw new AudioFormatException(path, $"truncated file: data chunk declares {declared} bytes but only {available} remain");
        }
        stream.Position = dataOffset;
    }

    /// <summary>The plain PCM or IEEE-float format of <paramref name="format"/>, if this decoder reads it.</summary>
    static WaveFormat SupportedFormat(string path, WaveFormat format)
    {
        if (format.Encoding == WaveFormatEncoding.Extensible)
        {
            format = WaveFormat.CreateCustomFormat(SubFormatTag(path, format), format.SampleRate, format.Channels, format.AverageBytesPerSecond, format.BlockAlign, format.BitsPerSample);
        }
        if (format.Channels == 0)
        {
            throw new AudioFormatException(path, "corrupt header: 0 channels");
        }
        if (format.SampleRate <= 0)
        {
            throw new AudioFormatException(path, $"corrupt header: sample rate {(uint)format.SampleRate}");
        }
        var bits = format.BitsPerSample;
        var supported = format.Encoding switch
        {
            WaveFormatEncoding.Pcm => bits is 8 or 16 or 24 or 32,
            WaveFormatEncoding.IeeeFloat => bits is 32 or 64,
            _ => false,
        };
        if (!supported)
        {
            throw new AudioFormatException(path, $"unsupported WAV encoding: format tag 0x{(ushort)format.Encoding:X4} with {bits} bits per sample (supported: 8/16/24/32-bit PCM, 32/64-bit float)");
        }
        if (format.BlockAlign != format.Channels * (bits / 8))
        {
            throw new AudioFormatException(path, $"corrupt header: block align {format.BlockAlign} does not match {format.Channels} channels of {bits} bits");
        }
        return format;
    }

    /// <summary>The plain format tag a WAVE_FORMAT_EXTENSIBLE header wraps: its sub-format GUID starts with it (KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT).</summary>
    static WaveFormatEncoding SubFormatTag(string path, WaveFormat format)
    {
        // NAudio returns the 22 extension bytes (valid bits, channel mask, sub-format GUID) raw or parsed, depending on the header.
        var subFormat = format switch
        {
            WaveFormatExtensible extensible => extensible.SubFormat.ToByteArray(),
            WaveFormatExtraData { ExtraData.Length: >= 22 } raw => raw.ExtraData[6..22],
            _ => throw new AudioFormatException(path, $"corrupt header: WAVE_FORMAT_EXTENSIBLE fmt chunk has {18 + format.ExtraSize} bytes, expected 40"),
        };
        return (WaveFormatEncoding)BinaryPrimitives.ReadUInt16LittleEndian(subFormat);
    }

    // Converted here in double rather than by NAudio's sample providers: those round 32-bit integer and 64-bit float
    // samples to float before the channels are averaged, which would move multi-channel results by a rounding step.
    internal static double ReadSample(WaveFormat format, ReadOnlySpan<byte> sample) => (format.Encoding, format.BitsPerSample) switch
    {
        // 8-bit WAV is unsigned with its zero at 128.
        (WaveFormatEncoding.Pcm, 8) => (sample[0] - 128) / 128.0,
        (WaveFormatEncoding.Pcm, 16) => BinaryPrimitives.ReadInt16LittleEndian(sample) / 32768.0,
        (WaveFormatEncoding.Pcm, 24) => ((sample[0] << 8 | sample[1] << 16 | sample[2] << 24) >> 8) / 8388608.0,
        (WaveFormatEncoding.Pcm, 32) => BinaryPrimitives.ReadInt32LittleEndian(sample) / 2147483648.0,
        (WaveFormatEncoding.IeeeFloat, 32) => BinaryPrimitives.ReadSingleLittleEndian(sample),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(sample),
    };

    static bool IsTag(ReadOnlySpan<byte> bytes, int offset, string tag) =>
        bytes.Length >= offset + 4 && bytes.Slice(offset, 4).SequenceEqual(Encoding.ASCII.GetBytes(tag));
}

/// <summary>A WAV file's samples averaged to mono, read through NAudio's <see cref="WaveFileReader"/> one block at a time.</summary>
sealed class WavMonoStream(WaveFileReader reader, WaveFormat format, int frames) : IDisposable
{
    // 64 Ki frames per block: the file's bytes are never all in memory.
    const int BlockFrames = 1 << 16;

    public int SampleRate => format.SampleRate;

    /// <summary>Sample frames in the file, i.e. mono samples.</summary>
    public int Frames => frames;

    /// <summary>Every mono sample as one clip.</summary>
    public AudioClip ReadAll()
    {
        var mono = new float[frames];
        var offset = 0;
        foreach (var block in MonoBlocks())
        {
            block.Span.CopyTo(mono.AsSpan(offset));
            offset += block.Length;
        }
        return new AudioClip(mono, SampleRate);
    }

    /// <summary>
    /// The mono samples in order, in blocks of up to 64 Ki. Each block is valid until the next is asked for: one buffer
    /// serves them all.
    /// </summary>
    public IEnumerable<ReadOnlyMemory<float>> MonoBlocks()
    {
        var bytesPerSample = format.BitsPerSample / 8;
        var channelScale = 1f / format.Channels;
        var block = new byte[Math.Min(frames, BlockFrames) * format.BlockAlign];
        var mono = new float[Math.Min(frames, BlockFrames)];
        reader.Position = 0;
        for (var first = 0; first < frames; first += mono.Length)
        {
            var count = Math.Min(mono.Length, frames - first);
            var data = block.AsSpan(0, count * format.BlockAlign);
            ReadExactly(data);
            for (var frame = 0; frame < count; frame++)
            {
                var sum = 0.0;
                for (var channel = 0; channel < format.Channels; channel++)
                {
                    var sample = data.Slice(frame * format.BlockAlign + channel * bytesPerSample, bytesPerSample);
                    sum += WavDecoder.ReadSample(format, sample);
                }
                mono[frame] = (float)(sum * channelScale);
            }
            yield return mono.AsMemory(0, count);
        }
    }

    void ReadExactly(Span<byte> data)
    {
        for (var filled = 0; filled < data.Length;)
        {
            var read = reader.Read(data[filled..]);
            if (read == 0)
            {
                throw new EndOfStreamException($"The WAV data ended {data.Length - filled} bytes early.");
            }
            filled += read;
        }
    }

    public void Dispose() => reader.Dispose();
}
