using System.Buffers.Binary;
using PostRvq.IO;

namespace PostRvq.Audio;

/// <summary>Sample encodings <see cref="WavWriter"/> can write.</summary>
public enum WavSampleFormat
{
    /// <summary>16-bit integer PCM; samples are clipped to [-1, 1].</summary>
    Pcm16,
    /// <summary>32-bit IEEE float; samples are stored as they are.</summary>
    Float32,
}

/// <summary>Writes mono WAV files atomically (see <see cref="AtomicFile"/>).</summary>
public static class WavWriter
{
    const int RiffHeaderBytes = 12;

    /// <exception cref="ArgumentException"><paramref name="clip"/> contains NaN or infinite samples.</exception>
    public static void Write(string path, AudioClip clip, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(clip);
        var firstNonFinite = Array.FindIndex(clip.Samples, s => !float.IsFinite(s));
        if (firstNonFinite >= 0)
        {
            throw new ArgumentException($"Cannot write {path}: sample {firstNonFinite} of the clip is {clip.Samples[firstNonFinite]}.", nameof(clip));
        }
        var header = Header(clip, format);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            WriteSamples(stream, clip.Samples, format);
        });
    }

    /// <summary>Everything before the samples: the RIFF, fmt, (for float) fact and data chunk headers.</summary>
    static byte[] Header(AudioClip clip, WavSampleFormat format)
    {
        var isFloat = format == WavSampleFormat.Float32;
        var bytesPerSample = isFloat ? 4 : 2;
        // Float WAVs carry the 2-byte cbSize extension and a fact chunk, as the WAVE spec asks for non-PCM data.
        var fmtBytes = isFloat ? 18 : 16;
        var factChunkBytes = isFloat ? 12 : 0;
        var dataBytes = (long)clip.Length * bytesPerSample;
        var total = RiffHeaderBytes + 8 + fmtBytes + factChunkBytes + 8 + dataBytes;
        if (total > uint.MaxValue)
        {
            throw new ArgumentException($"The clip is too long for a WAV file ({clip.Length} samples).", nameof(clip));
        }
        var bytes = new byte[total - dataBytes];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(total - 8));
        "WAVE"u8.CopyTo(span[8..]);
        var offset = RiffHeaderBytes;
        "fmt "u8.CopyTo(span[offset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 4)..], (uint)fmtBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 8)..], (ushort)(isFloat ? 3 : 1));
        BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 10)..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 12)..], (uint)clip.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 16)..], (uint)(clip.SampleRate * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 20)..], (ushort)bytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 22)..], (ushort)(bytesPerSample * 8));
        offset += 8 + fmtBytes;
        if (isFloat)
        {
            "fact"u8.CopyTo(span[offset..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 4)..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 8)..], (uint)clip.Length);
            offset += factChunkBytes;
        }
        "data"u8.CopyTo(span[offset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 4)..], (uint)dataBytes);
        return bytes;
    }

    /// <summary>Encodes samples through one 64 KiB buffer, so a long clip is never held twice.</summary>
    static void WriteSamples(Stream stream, float[] samples, WavSampleFormat format)
    {
        var bytesPerSample = format == WavSampleFormat.Float32 ? 4 : 2;
        var buffer = new byte[1 << 16];
        var perBuffer = buffer.Length / bytesPerSample;
        for (var first = 0; first < samples.Length; first += perBuffer)
        {
            var count = Math.Min(perBuffer, samples.Length - first);
            var span = buffer.AsSpan(0, count * bytesPerSample);
            for (var i = 0; i < count; i++)
            {
                var sample = samples[first + i];
                if (format == WavSampleFormat.Float32)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(span[(i * 4)..], sample);
                }
                else
                {
                    // Scale by 2^15 so that reading (which divides by 2^15) returns the written value exactly.
                    var quantized = Math.Clamp(MathF.Round(sample * 32768f), short.MinValue, short.MaxValue);
                    BinaryPrimitives.WriteInt16LittleEndian(span[(i * 2)..], (short)quantized);
                }
            }
            stream.Write(span);
        }
    }
}
