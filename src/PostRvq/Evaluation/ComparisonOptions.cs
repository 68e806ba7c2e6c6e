using PostRvq.Latents;
using PostRvq.Quantization;

namespace PostRvq.Evaluation;

/// <summary>
/// Settings of a quantizer comparison on a fixed latent representation. Defaults are the paper's: 3, 10, 16 and
/// 24 kbps, 10-bit codebooks (1024 entries), seed 0, and k-means of 25 iterations (faiss's default).
/// </summary>
public sealed record ComparisonOptions
{
    /// <summary>Quantizer kinds in report order; <see cref="DefaultMethods"/> keeps the ones registered in <see cref="QuantizerZoo"/>.</summary>
    public static IReadOnlyList<string> DefaultMethodKinds { get; } =
    [
        QuantizerKinds.Rvq, QuantizerKinds.Srvq, QuantizerKinds.Pq, QuantizerKinds.Scalar, QuantizerKinds.LloydMax,
        QuantizerKinds.Fsq, QuantizerKinds.Rfsq, QuantizerKinds.SrvqStage,
    ];

    /// <summary>The methods to compare: quantizer kinds registered in <see cref="QuantizerZoo"/>; any registered kind works.</summary>
    public IReadOnlyList<string> Methods { get; init; } = DefaultMethods();

    /// <summary>Target bitrates; each method is coded at the largest fixed-length rate that does not exceed each (paper: 3, 10, 16, 24).</summary>
    public IReadOnlyList<double> TargetKbps { get; init; } = [3, 10, 16, 24];

    /// <summary>Entries per codebook for families with codebooks (paper: 1024, i.e. 10 bits).</summary>
    public int CodebookSize { get; init; } = 1024;

    public int Seed { get; init; }

    /// <summary>k-means settings for families that use it (25 iterations as in faiss and the paper).</summary>
    public KMeansOptions KMeans { get; init; } = new();

    /// <summary>When set, quantizers are fitted on at most this many frames drawn at random with <see cref="Seed"/>, for speed.</summary>
    public long? MaxTrainFrames { get; init; }

    /// <summary>Adds a "continuous" row: the model with no quantizer, the ceiling every quantizer is measured against.</summary>
    public bool IncludeContinuous { get; init; } = true;

    /// <summary>Split label written in the rows.</summary>
    public string Split { get; init; } = "test";

    public ChunkingOptions Chunking { get; init; } = new();

    /// <summary>When set, each method's deepest fit is saved as quantizers/METHOD.quantizer under this folder.</summary>
    public string? OutputFolder { get; init; }

    /// <summary>With <see cref="OutputFolder"/>, also writes the evaluation codes of every row to codes.safetensors.</summary>
    public bool SaveCodes { get; init; }

    /// <summary>Of <see cref="DefaultMethodKinds"/>, those registered right now.</summary>
    public static IReadOnlyList<string> DefaultMethods()
    {
        var registered = QuantizerZoo.All.Select(m => m.Kind).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return DefaultMethodKinds.Where(registered.Contains).ToList();
    }

    /// <summary>Throws an <see cref="ArgumentException"/> for an empty or unknown method list or invalid numbers.</summary>
    public void Validate()
    {
        if (Methods.Count == 0 && !IncludeContinuous) throw new ArgumentException("The comparison has no methods.", nameof(Methods));
        foreach (var method in Methods) QuantizerZoo.Get(method);
        var repeated = Methods.GroupBy(m => m, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"Method '{repeated.Key}' is listed twice.", nameof(Methods));
        if (TargetKbps.Count == 0) throw new ArgumentException("The comparison needs at least one target bitrate.", nameof(TargetKbps));
        if (TargetKbps.Any(k => !(k > 0) || double.IsInfinity(k)))
            throw new ArgumentException($"Target bitrates must be positive, got {string.Join(", ", TargetKbps)}.", nameof(TargetKbps));
        if (TargetKbps.Distinct().Count() != TargetKbps.Count) throw new ArgumentException("A target bitrate is listed twice.", nameof(TargetKbps));
        if (CodebookSize < 2) throw new ArgumentException($"CodebookSize must be at least 2, got {CodebookSize}.", nameof(CodebookSize));
        if (MaxTrainFrames is < 1) throw new ArgumentException($"MaxTrainFrames must be positive, got {MaxTrainFrames}.", nameof(MaxTrainFrames));
        if (SaveCodes && OutputFolder is null) throw new ArgumentException("SaveCodes needs an OutputFolder.", nameof(SaveCodes));
        KMeans.Validate();
    }
}

/// <summary>Progress of one method: <paramref name="Done"/> of <paramref name="Total"/> fits and evaluations, and what is happening now.</summary>
public sealed record ComparisonProgress(string Method, int Done, int Total, string Detail);
