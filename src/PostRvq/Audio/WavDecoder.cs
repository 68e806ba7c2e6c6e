using System.Buffers.Binary;
using System.Text;

namespace PostRvq.Audio;

/// <summary>
/// Parses RIFF/WAVE bytes: 8/16/24/32-bit integer PCM and 32/64-bit IEEE float, plain or WAVE_FORMAT_EXTENSIBLE,
/// any channel count and rate, downmixed to mono by averaging. Does not handle RIFX (big-endian), RF64 (over 4 GB),
/// or compressed encodings (ADPCM, µ-law, A-law): those are reported as unsupported.
/// </summary>
internal static class WavDecoder
{
    private const ushort FormatPcm = 1;
    private const ushort FormatIeeeFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;
    // Writers that stream a WAV of unknown length leave this size and never patch it.
    private const uint StreamingPlaceholderSize = 0xFFFFFFFF;

    private sealed record Format(ushort Encoding, int Channels, int SampleRate, int BlockAlign, int BitsPerSample);

    public static bool LooksLikeWav(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 12 && IsTag(bytes, 8, "WAVE") && (IsTag(bytes, 0, "RIFF") || IsTag(bytes, 0, "RIFX") || IsTag(bytes, 0, "RF64"));

    public static AudioClip Decode(string path, ReadOnlySpan<byte> bytes)
    {
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
        var dataOffset = -1;
        var dataLength = 0;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(offset + 4, 4));
            var bodyOffset = offset + 8;
            var available = bytes.Length - bodyOffset;
            if (IsTag(bytes, offset, "fmt "))
            {
                if (chunkSize > available)
                {
                    throw new AudioFormatException(path, $"truncated header: fmt chunk declares {chunkSize} bytes but only {available} remain");
                }
                format = ParseFormat(path, bytes.Slice(bodyOffset, (int)chunkSize));
            }
            else if (IsTag(bytes, offset, "data"))
            {
                if (chunkSize > available && chunkSize != StreamingPlaceholderSize)
                {
                    throw new AudioFormatException(path, $"truncated file: data chunk declares {chunkSize} bytes but only {available} remain");
                }
                dataOffset = bodyOffset;
                dataLength = (int)Math.Min(chunkSize, (uint)available);
            }
            if (dataOffset >= 0 && format is not null)
            {
                break;
            }
            // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
            var next = bodyOffset + (long)chunkSize + (chunkSize & 1);
            if (next > bytes.Length)
            {
                break;
            }
            offset = (int)next;
        }

        if (format is null)
        {
            throw new AudioFormatException(path, "truncated or corrupt header: no fmt chunk");
        }
        if (dataOffset < 0)
        {
            throw new AudioFormatException(path, "truncated or corrupt header: no data chunk");
        }
        return new AudioClip(DecodeSamples(format, bytes.Slice(dataOffset, dataLength)), format.SampleRate);
    }

    private static Format ParseFormat(string path, ReadOnlySpan<byte> fmt)
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

    private static float[] DecodeSamples(Format format, ReadOnlySpan<byte> data)
    {
        var frames = data.Length / format.BlockAlign;
        var bytesPerSample = format.BitsPerSample / 8;
        var mono = new float[frames];
        var channelScale = 1f / format.Channels;
        for (var frame = 0; frame < frames; frame++)
        {
            var sum = 0.0;
            for (var channel = 0; channel < format.Channels; channel++)
            {
                var sample = data.Slice(frame * format.BlockAlign + channel * bytesPerSample, bytesPerSample);
                sum += ReadSample(format, sample);
            }
            mono[frame] = (float)(sum * channelScale);
        }
        return mono;
    }

    private static double ReadSample(Format format, ReadOnlySpan<byte> sample) => (format.Encoding, format.BitsPerSample) switch
    {
        // 8-bit WAV is unsigned with its zero at 128.
        (FormatPcm, 8) => (sample[0] - 128) / 128.0,
        (FormatPcm, 16) => BinaryPrimitives.ReadInt16LittleEndian(sample) / 32768.0,
        (FormatPcm, 24) => ((sample[0] << 8 | sample[1] << 16 | sample[2] << 24) >> 8) / 8388608.0,
        (FormatPcm, 32) => BinaryPrimitives.ReadInt32LittleEndian(sample) / 2147483648.0,
        (FormatIeeeFloat, 32) => BinaryPrimitives.ReadSingleLittleEndian(sample),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(sample),
    };

    private static bool IsTag(ReadOnlySpan<byte> bytes, int offset, string tag) =>
        bytes.Length >= offset + 4 && bytes.Slice(offset, 4).SequenceEqual(Encoding.ASCII.GetBytes(tag));
}
