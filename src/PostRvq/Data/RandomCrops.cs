using PostRvq.Audio;
using static TorchSharp.torch;

namespace PostRvq.Data;

/// <summary>
/// Endless random training crops. Each crop picks a clip uniformly (every clip equally often, whatever its length)
/// and an offset uniformly among those that keep the crop inside the clip. Clips shorter than the crop are zero-padded
/// at the end and masked. The sequence depends only on the seed and can be resumed from <see cref="GetState"/>.
/// </summary>
public sealed class RandomCrops
{
    /// <summary>Crops quieter than this are redrawn (up to <see cref="MaxSilentRedraws"/> times): they teach a codec nothing.</summary>
    public const double SilenceThresholdDbfs = -60;
    public const int MaxSilentRedraws = 4;

    readonly IReadOnlyList<AudioClip> clips;
    readonly Xoshiro256StarStar random;

    public RandomCrops(IReadOnlyList<AudioClip> clips, int cropLength, int batchSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (clips.Count == 0)
        {
            throw new ArgumentException("At least one clip is needed.", nameof(clips));
        }
        var empty = clips.Select((c, i) => (c, i)).FirstOrDefault(x => x.c.Length == 0);
        if (empty.c is not null)
        {
            // The clips carry no names; the index lets a caller find the file (the CLI names it before this point).
            throw new ArgumentException($"Training clip {empty.i} of {clips.Count} holds no samples.", nameof(clips));
        }
        if (clips.Select(c => c.SampleRate).Distinct().Count() > 1)
        {
            throw new ArgumentException("All clips must share one sample rate.", nameof(clips));
        }
        this.clips = clips;
        CropLength = cropLength;
        BatchSize = batchSize;
        random = new Xoshiro256StarStar(seed);
    }

    public int CropLength { get; }

    public int BatchSize { get; }

    /// <summary>The next batch: Audio and Mask shaped [BatchSize, 1, CropLength].</summary>
    public CropBatch Next()
    {
        var audio = new float[BatchSize * CropLength];
        var mask = new float[BatchSize * CropLength];
        for (var b = 0; b < BatchSize; b++)
        {
            var crop = audio.AsSpan(b * CropLength, CropLength);
            var realLength = DrawCrop(crop);
            mask.AsSpan(b * CropLength, realLength).Fill(1f);
        }
        return new CropBatch(
            tensor(audio, [BatchSize, 1, CropLength], ScalarType.Float32),
            tensor(mask, [BatchSize, 1, CropLength], ScalarType.Float32));
    }

    /// <summary>The generator state; pass it to <see cref="SetState"/> to continue the same sequence of batches.</summary>
    public ulong[] GetState() => random.GetState();

    public void SetState(ulong[] state) => random.SetState(state);

    // Fills the crop (zero-padded at the end) and returns how many samples are real audio.
    int DrawCrop(Span<float> crop)
    {
        var length = 0;
        for (var attempt = 0; attempt <= MaxSilentRedraws; attempt++)
        {
            var clip = clips[(int)random.NextBelow(clips.Count)];
            length = Math.Min(CropLength, clip.Length);
            var offset = (int)random.NextBelow(clip.Length - length + 1);
            crop.Clear();
            clip.Samples.AsSpan(offset, length).CopyTo(crop);
            if (RmsDbfs(crop[..length]) >= SilenceThresholdDbfs)
            {
                break;
            }
        }
        return length;
    }

    static double RmsDbfs(ReadOnlySpan<float> samples)
    {
        var sum = 0.0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }
        return 10 * Math.Log10(sum / samples.Length);
    }
}
