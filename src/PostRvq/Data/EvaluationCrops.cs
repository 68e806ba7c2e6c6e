using PostRvq.Audio;

namespace PostRvq.Data;

/// <summary>Deterministic evaluation inputs: the same crops of the same clips on every run.</summary>
public static class EvaluationCrops
{
    /// <summary>
    /// The centred <paramref name="cropLength"/> samples of each clip (centred rather than the start, which is often
    /// a fade-in or silence); clips shorter than the crop are zero-padded at the end.
    /// </summary>
    public static IEnumerable<AudioClip> Fixed(IReadOnlyList<AudioClip> clips, int cropLength)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropLength);
        return clips.Select(clip =>
        {
            var crop = new float[cropLength];
            var length = Math.Min(cropLength, clip.Length);
            clip.Samples.AsSpan((clip.Length - length) / 2, length).CopyTo(crop);
            return new AudioClip(crop, clip.SampleRate);
        });
    }

    /// <summary>Each clip whole, in order.</summary>
    public static IEnumerable<AudioClip> Whole(IReadOnlyList<AudioClip> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        return clips;
    }
}
