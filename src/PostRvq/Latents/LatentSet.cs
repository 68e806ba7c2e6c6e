using static TorchSharp.torch;

namespace PostRvq.Latents;

/// <summary>
/// A latent dataset: the frames of whole clips encoded by one frozen model, stacked clip after clip as
/// <see cref="Frames"/> [N, D] float32, with each clip's id and frame count so its sequence [D, T] can be cut back
/// out. Quantizers are fitted on Frames; the clip structure serves anything that needs time order. Owns Frames.
/// </summary>
public sealed record LatentSet : IDisposable
{
    /// <summary>Latent frames [N, D] float32 on the CPU, clips back to back in <see cref="ClipIds"/> order.</summary>
    public required Tensor Frames { get; init; }

    /// <summary>Latent frames per second: sample rate / hop.</summary>
    public required double FrameRate { get; init; }

    /// <summary>The model's audio sample rate in Hz.</summary>
    public required int SampleRate { get; init; }

    public required IReadOnlyList<string> ClipIds { get; init; }

    /// <summary>Frames of each clip, in <see cref="ClipIds"/> order; they sum to N.</summary>
    public required IReadOnlyList<long> ClipFrames { get; init; }

    /// <summary>The corpus split the clips came from ("train", "valid", "test", or "all").</summary>
    public string Split { get; init; } = Data.Corpus.NoSplit;

    /// <summary>Seed of the random choice of clips when only some were encoded (see <see cref="LatentEncodingOptions.MaxClips"/>).</summary>
    public int Seed { get; init; }

    /// <summary>Id of the model that encoded the clips (see <see cref="Training.ModelFile.IdOf(string)"/>); empty if unknown.</summary>
    public string ModelId { get; init; } = "";

    /// <summary>Where the clips came from, such as the corpus manifest; free text.</summary>
    public string Source { get; init; } = "";

    /// <summary>Latent dimension D.</summary>
    public int Dimension => (int)Frames.shape[1];

    /// <summary>Frames N.</summary>
    public long Count => Frames.shape[0];

    /// <summary>The latents of clip <paramref name="index"/> as a channel-first batch of one: [1, D, T] (a copy).</summary>
    public Tensor ClipLatents(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ClipFrames.Count);
        var start = ClipFrames.Take(index).Sum();
        using var scope = NewDisposeScope();
        return Frames.narrow(0, start, ClipFrames[index]).t().unsqueeze(0).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The standard deviation of each latent dimension over all frames, [D] as doubles. Standardization before RVQ
    /// matters when these differ widely: plain RVQ spends its codebooks on the loud dimensions.
    /// </summary>
    public double[] DimensionSpread()
    {
        using var scope = NewDisposeScope();
        return Frames.to_type(ScalarType.Float64).std(0, unbiased: false).data<double>().ToArray();
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistency.</summary>
    public void Validate()
    {
        if (Frames.dim() != 2 || Frames.dtype != ScalarType.Float32)
            throw new ArgumentException($"Frames must be [N, D] float32, got [{string.Join(", ", Frames.shape)}] {Frames.dtype}.");
        if (Frames.shape[1] < 1) throw new ArgumentException("Frames have no latent dimensions.");
        if (!(FrameRate > 0) || double.IsInfinity(FrameRate)) throw new ArgumentException($"The frame rate must be positive, got {FrameRate}.");
        if (SampleRate < 1) throw new ArgumentException($"The sample rate must be positive, got {SampleRate}.");
        if (ClipIds.Count != ClipFrames.Count)
            throw new ArgumentException($"There are {ClipIds.Count} clip ids but {ClipFrames.Count} clip frame counts.");
        if (ClipFrames.Any(f => f < 0)) throw new ArgumentException("A clip frame count is negative.");
        if (ClipFrames.Sum() != Count)
            throw new ArgumentException($"Clip frame counts sum to {ClipFrames.Sum()} but there are {Count} frames.");
        var repeated = ClipIds.GroupBy(id => id).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"Clip id '{repeated.Key}' appears more than once.");
    }

    public void Dispose() => Frames.Dispose();
}
