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
    private const int RiffHeaderBytes = 12;

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
        var bytes = Encode(clip, format);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    private static byte[] Encode(AudioClip clip, WavSampleFormat format)
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
        var bytes = new byte[total];
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
        offset += 8;
        foreach (var sample in clip.Samples)
        {
            if (isFloat)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[offset..], sample);
            }
            else
            {
                // Scale by 2^15 so that reading (which divides by 2^15) returns the written value exactly.
                var quantized = Math.Clamp(MathF.Round(sample * 32768f), short.MinValue, short.MaxValue);
                BinaryPrimitives.WriteInt16LittleEndian(span[offset..], (short)quantized);
            }
            offset += bytesPerSample;
        }
        return bytes;
    }
}
