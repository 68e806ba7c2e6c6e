namespace PostRvq.Latents;

/// <summary>
/// How long inputs are cut for inference. Each chunk is encoded with <see cref="ContextSeconds"/> of real audio
/// on both sides, and chunk starts fall on frame boundaries, so the joined output equals whole-clip processing
/// up to float rounding, with no seams, as long as the context covers the model's receptive field.
/// </summary>
public sealed record ChunkingOptions
{
    /// <summary>
    /// The longest chunk, an hour: memory grows with the chunk, and at any sample rate up to 596 kHz its samples
    /// still fit an int.
    /// </summary>
    public const double MaxChunkSeconds = 3600;

    /// <summary>The longest context, a minute: far beyond any model's receptive field.</summary>
    public const double MaxContextSeconds = 60;

    public double ChunkSeconds { get; init; } = 10.0;
    public double ContextSeconds { get; init; } = 0.5;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field unless both lengths are in range.</summary>
    public void Validate()
    {
        if (!(ChunkSeconds > 0 && ChunkSeconds <= MaxChunkSeconds))
            throw new ArgumentException($"ChunkSeconds must be more than 0 and at most {MaxChunkSeconds} s, not {ChunkSeconds}");
        if (!(ContextSeconds >= 0 && ContextSeconds <= MaxContextSeconds))
            throw new ArgumentException($"ContextSeconds must be at least 0 and at most {MaxContextSeconds} s, not {ContextSeconds}");
    }
}
