namespace PostRvq.Latents;

/// <summary>How clips are encoded into a <see cref="LatentSet"/>, and the provenance labels it carries.</summary>
public sealed record LatentEncodingOptions
{
    /// <summary>Long clips are encoded in chunks with context on both sides, so the frames equal whole-clip encoding.</summary>
    public ChunkingOptions Chunking { get; init; } = new();

    /// <summary>When set and smaller than the clip count, encodes this many clips drawn at random with <see cref="Seed"/> (kept in order).</summary>
    public int? MaxClips { get; init; }

    public int Seed { get; init; }

    /// <summary>Split label stored in the set.</summary>
    public string Split { get; init; } = Data.Corpus.NoSplit;

    /// <summary>Model id stored in the set (see <see cref="Training.ModelFile.IdOf(string)"/>).</summary>
    public string ModelId { get; init; } = "";

    /// <summary>Source description stored in the set.</summary>
    public string Source { get; init; } = "";
}

/// <summary>Progress of an encoding: <paramref name="Done"/> of <paramref name="Clips"/> clips, the last one's id and frames.</summary>
public sealed record LatentProgress(int Done, int Clips, string ClipId, long Frames);
