namespace PostRvq.Audio;

/// <summary>Collects interleaved multi-channel blocks from a decoder as mono samples (the mean of the channels).</summary>
sealed class InterleavedDownmix(int channels, long expectedFrames)
{
    readonly List<float> mono = new((int)Math.Clamp(expectedFrames, 0, int.MaxValue / 2));

    /// <summary>Appends whole frames from <paramref name="interleaved"/>; its length must be a multiple of the channel count.</summary>
    public void Append(ReadOnlySpan<float> interleaved)
    {
        var scale = 1f / channels;
        for (var frame = 0; frame + channels <= interleaved.Length; frame += channels)
        {
            var sum = 0f;
            for (var channel = 0; channel < channels; channel++)
            {
                sum += interleaved[frame + channel];
            }
            mono.Add(sum * scale);
        }
    }

    public float[] ToArray() => mono.ToArray();
}
