using TorchSharp;
using static TorchSharp.torch;

namespace PostRvq.Audio;

/// <summary>Converts between <see cref="AudioClip"/>s and channel-first float32 CPU tensors.</summary>
public static class AudioTensors
{
    /// <summary>One clip as a batch of one: [1, 1, T] float32.</summary>
    public static Tensor ToBatch(AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        return tensor(clip.Samples, [1, 1, clip.Length], ScalarType.Float32);
    }

    /// <summary>
    /// One clip as [1, 1, T] float32 over the clip's own samples, with no copy: an hour at 24 kHz is 346 MB. The
    /// tensor must only be read; writing to it in place would change the clip.
    /// </summary>
    public static Tensor View(AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        using var flat = from_array(clip.Samples);
        return flat.reshape(1, 1, clip.Length);
    }

    /// <summary>Clips stacked as [B, 1, length] float32: longer clips are truncated, shorter ones zero-padded at the end.</summary>
    public static Tensor ToBatch(IReadOnlyList<AudioClip> clips, int length)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var data = new float[clips.Count * (long)length];
        for (var b = 0; b < clips.Count; b++)
        {
            var samples = clips[b].Samples;
            samples.AsSpan(0, Math.Min(samples.Length, length)).CopyTo(data.AsSpan(b * length, length));
        }
        return tensor(data, [clips.Count, 1, length], ScalarType.Float32);
    }

    /// <summary>A clip from audio shaped [T], [1, T] or [1, 1, T] (any float type, any device).</summary>
    /// <exception cref="ArgumentException">The tensor holds more than one clip or channel.</exception>
    public static AudioClip ToClip(Tensor audio, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var shape = audio.shape;
        var isSingleClip = shape.Length is >= 1 and <= 3 && shape[..^1].All(size => size == 1);
        if (!isSingleClip)
        {
            throw new ArgumentException($"Expected audio shaped [T], [1, T] or [1, 1, T], got [{string.Join(", ", shape)}].", nameof(audio));
        }
        using var scope = NewDisposeScope();
        var samples = audio.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        return new AudioClip(samples, sampleRate);
    }
}
