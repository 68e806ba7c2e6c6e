using System.Buffers.Binary;
using System.Text;

namespace PostRvq.Audio;

/// <summary>
/// Parses RIFF/WAVE files, streamed in blocks: 8/16/24/32-bit integer PCM and 32/64-bit IEEE float, plain or WAVE_FORMAT_EXTENSIBLE,
/// any channel count and rate, downmixed to mono by averaging. Does not handle RIFX (big-endian), RF64 (over 4 GB),
/// or compressed encodings (ADPCM, µ-law, A-law): those are reported as unsupported.
/// </summary>
static class WavDecoder
{
    internal const ushort FormatPcm = 1;
    internal const ushort FormatIeeeFloat = 3;
    const ushort FormatExtensible = 0xFFFE;
    // Writers that stream a WAV of unknown length leave this size and never patch it.
    const uint StreamingPlaceholderSize = 0xFFFFFFFF;

    internal sealed record Format(ushort Encoding, int Channels, int SampleRate, int BlockAlign, int BitsPerSample);

    public static bool LooksLikeWav(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 12 && IsTag(bytes, 8, "WAVE") && (IsTag(bytes, 0, "RIFF") || IsTag(bytes, 0, "RIFX") || IsTag(bytes, 0, "RF64"));

    /// <summary>
    /// Decodes the WAV in <paramref name="stream"/> (seekable, from its start); only the header chunks and one block of
    /// samples are held in memory at a time, so a long file costs its mono samples and no more.
    /// </summary>
    public static AudioClip Decode(string path, Stream stream) => Open(path, stream).ReadAll();

    /// <summary>Parses the header of the WAV in <paramref name="stream"/> (seekable, from its start); no samples are read yet.</summary>
    public static WavMonoStream Open(string path, Stream stream)
    {
        var length = stream.Length;
        var bytes = ReadAt(stream, 0, (int)Math.Min(12, length));
        if (bytes.Length < 12)
        {
            throw new AudioFormatException(path, $"truncated header: {bytes.Length} bytes is too short for a RIFF/WAVE header");
        }
        if (!IsTag(bytes, 8, "WAVE"))
        {
            throw new AudioFormatException(path, "not a WAV file: no RIFF/WAVE header");
        }
        if (!IsTag(bytes, 0, "RIFF"))
        {
            throw new AudioFormatException(path, $"unsupported WAV variant '{Encoding.ASCII.GetString(bytes[..4])}' (only little-endian RIFF is supported)");
        }

        Format? format = null;
        long dataOffset = -1;
        long dataLength = 0;
        long offset = 12;
        while (offset + 8 <= length)
        {
            var header = ReadAt(stream, offset, 8);
            var chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4, 4));
            var bodyOffset = offset + 8;
            var available = length - bodyOffset;
            if (IsTag(header, 0, "fmt "))
            {
                if (chunkSize > available)
                {
                    throw new AudioFormatException(path, $"truncated header: fmt chunk declares {chunkSize} bytes but only {available} remain");
                }
                format = ParseFormat(path, ReadAt(stream, bodyOffset, (int)chunkSize));
            }
            else if (IsTag(header, 0, "data"))
            {
                if (chunkSize > available && chunkSize != StreamingPlaceholderSize)
                {
                    throw new AudioFormatException(path, $"truncated file: data chunk declares {chunkSize} bytes but only {available} remain");
                }
                dataOffset = bodyOffset;
                dataLength = Math.Min(chunkSize, available);
            }
            if (dataOffset >= 0 && format is not null)
            {
                break;
            }
            // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
            var next = bodyOffset + (long)chunkSize + (chunkSize & 1);
            if (next > length)
            {
                break;
            }
            offset = next;
        }

        if (format is null)
        {
            throw new AudioFormatException(path, "truncated or corrupt header: no fmt chunk");
        }
        if (dataOffset < 0)
        {
            throw new AudioFormatException(path, "truncated or corrupt header: no data chunk");
        }
        if (dataLength / format.BlockAlign > Array.MaxLength)
        {
            throw new AudioFormatException(path, $"too long: {dataLength / format.BlockAlign} frames are more than one clip can hold");
        }
        return new WavMonoStream(format, stream, dataOffset, (int)(dataLength / format.BlockAlign));
    }

    static byte[] ReadAt(Stream stream, long offset, int count)
    {
        var buffer = new byte[count];
        stream.Position = offset;
        stream.ReadExactly(buffer);
        return buffer;
    }

    static Format ParseFormat(string path, ReadOnlySpan<byte> fmt)
    {
        if (fmt.Length < 16)
        {
            throw new AudioFormatException(path, $"corrupt header: fmt chunk has {fmt.Length} bytes, expected at least 16");
        }
        var encoding = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (encoding == FormatExtensible)
        {
            if (fmt.Length < 40)
            {
                throw new AudioFormatException(path, $"corrupt header: WAVE_FORMAT_EXTENSIBLE fmt chunk has {fmt.Length} bytes, expected 40");
            }
            // The sub-format GUID starts with the plain format tag (KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT).
            encoding = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }
        if (channels == 0)
        {
            throw new AudioFormatException(path, "corrupt header: 0 channels");
        }
        if (sampleRate == 0 || sampleRate > int.MaxValue)
        {
            throw new AudioFormatException(path, $"corrupt header: sample rate {sampleRate}");
        }
        var supported = encoding switch
        {
            FormatPcm => bits is 8 or 16 or 24 or 32,
            FormatIeeeFloat => bits is 32 or 64,
            _ => false,
        };
        if (!supported)
        {
            throw new AudioFormatException(path, $"unsupported WAV encoding: format tag 0x{encoding:X4} with {bits} bits per sample (supported: 8/16/24/32-bit PCM, 32/64-bit float)");
        }
        if (blockAlign != channels * (bits / 8))
        {
            throw new AudioFormatException(path, $"corrupt header: block align {blockAlign} does not match {channels} channels of {bits} bits");
        }
        return new Format(encoding, channels, (int)sampleRate, blockAlign, bits);
    }

    internal static double ReadSample(Format format, ReadOnlySpan<byte> sample) => (format.Encoding, format.BitsPerSample) switch
    {
        // 8-bit WAV is unsigned with its zero at 128.
        (FormatPcm, 8) => (sample[0] - 128) / 128.0,
        (FormatPcm, 16) => BinaryPrimitives.ReadInt16LittleEndian(sample) / 32768.0,
        (FormatPcm, 24) => ((sample[0] << 8 | sample[1] << 16 | sample[2] << 24) >> 8) / 8388608.0,
        (FormatPcm, 32) => BinaryPrimitives.ReadInt32LittleEndian(sample) / 2147483648.0,
        (FormatIeeeFloat, 32) => BinaryPrimitives.ReadSingleLittleEndian(sample),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(sample),
    };

    static bool IsTag(ReadOnlySpan<byte> bytes, int offset, string tag) =>
        bytes.Length >= offset + 4 && bytes.Slice(offset, 4).SequenceEqual(Encoding.ASCII.GetBytes(tag));
}

/// <summary>A WAV file's samples averaged to mono, read from its stream one block at a time.</summary>
sealed class WavMonoStream(WavDecoder.Format format, Stream stream, long dataOffset, int frames)
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
        stream.Position = dataOffset;
        for (var first = 0; first < frames; first += mono.Length)
        {
            var count = Math.Min(mono.Length, frames - first);
            var data = block.AsSpan(0, count * format.BlockAlign);
            stream.ReadExactly(data);
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
}
