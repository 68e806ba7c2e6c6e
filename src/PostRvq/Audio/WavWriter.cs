using System.Buffers.Binary;
using NAudio.Wave;
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

/// <summary>Writes mono WAV files atomically (see <see cref="AtomicFile"/>) with NAudio's <see cref="WaveFileWriter"/>.</summary>
public static class WavWriter
{
    // RIFF header (12), fmt chunk (8 + 18 for float), fact chunk (12, float only) and data chunk header (8).
    const long MaxHeaderBytes = 58;

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
        var bytesPerSample = format == WavSampleFormat.Float32 ? 4 : 2;
        if (MaxHeaderBytes + (long)clip.Length * bytesPerSample > uint.MaxValue)
        {
            throw new ArgumentException($"The clip is too long for a WAV file ({clip.Length} samples).", nameof(clip));
        }
        // NAudio writes the canonical headers: 44 bytes for PCM; for float, the fmt chunk's cbSize and a fact chunk, as the WAVE spec asks for non-PCM data.
        var waveFormat = format == WavSampleFormat.Float32
            ? WaveFormat.CreateIeeeFloatWaveFormat(clip.SampleRate, 1)
            : new WaveFormat(clip.SampleRate, 16, 1);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new WaveFileWriter(stream, waveFormat);
            WriteSamples(writer, clip.Samples, format);
        });
    }

    /// <summary>Encodes samples through one 64 KiB buffer, so a long clip is never held twice.</summary>
    static void WriteSamples(WaveFileWriter writer, float[] samples, WavSampleFormat format)
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
                    // Scale by 2^15 (not NAudio's 2^15 - 1) so that reading, which divides by 2^15, returns the written value exactly.
                    var quantized = Math.Clamp(MathF.Round(sample * 32768f), short.MinValue, short.MaxValue);
                    BinaryPrimitives.WriteInt16LittleEndian(span[(i * 2)..], (short)quantized);
                }
            }
            writer.Write(span);
        }
    }
}
