using PostRvq.Audio;

namespace PostRvq.Training;

/// <summary>
/// Checks, before the first step, that the training crop fits in the training clips. A crop longer than every clip
/// would be padding past the audio, and a huge one allocates batches until the machine runs out of memory. A crop
/// longer than only some clips is fine: <see cref="Data.RandomCrops"/> zero-pads and masks those.
/// </summary>
public static class TrainingCrops
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the crop and the longest clip unless a crop of
    /// <paramref name="cropSeconds"/> fits in it. <paramref name="names"/>, one per clip, name it; else its index does.
    /// </summary>
    public static void RequireFits(IReadOnlyList<AudioClip> clips, double cropSeconds, IReadOnlyList<string>? names = null)
    {
        if (clips.Count == 0) return;
        var longest = 0;
        for (var i = 1; i < clips.Count; i++)
            if (clips[i].Length > clips[longest].Length) longest = i;
        var clip = clips[longest];
        // In double, so that a crop of any size is compared without overflowing an int.
        if (Math.Round(cropSeconds * clip.SampleRate) <= clip.Length) return;
        var name = names is not null && longest < names.Count ? names[longest] : $"clip {longest + 1} of {clips.Count}";
        throw new ArgumentException($"training.cropSeconds {cropSeconds} s is longer than every training clip; the longest, {name}, "
            + $"is {clip.DurationSeconds:0.###} s: shorten the crop to at most that, or train on longer clips");
    }
}
