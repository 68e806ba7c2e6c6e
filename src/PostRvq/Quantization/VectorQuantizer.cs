using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Implements Linde, Buzo and Gray 1980, "An Algorithm for Vector Quantizer Design".
/// Plain vector quantization: one k-means codebook [K, D] over whole frames, each frame coded by its nearest entry
/// (one stream). It is the rate-distortion reference that RVQ and PQ approximate with smaller codebooks; it does
/// not scale past a few thousand entries, so it cannot reach the bitrates of multi-codebook quantizers.
/// </summary>
public sealed class VectorQuantizer : FrameQuantizer
{
    Tensor? codebook;
    Tensor? norms;

    public VectorQuantizer(int dimension, VqOptions options) : base(dimension)
    {
        options.Validate();
        Options = options;
    }

    public VqOptions Options { get; }
    public override string Kind => QuantizerKinds.Vq;
    public override int Codebooks => 1;
    public override IReadOnlyList<long> CodebookSizes => [Options.CodebookSize];
    public override bool IsFitted => codebook is not null;

    /// <summary>The codebook [K, D]; null before fitting.</summary>
    public Tensor? Codebook => codebook;

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        var stageProgress = progress is null ? null : new SynchronousProgress<string>(detail => progress.Report(new FitProgress(1, 1, detail)));
        var fit = KMeans.Fit(frames, Options.KMeans with { Clusters = Options.CodebookSize, Seed = Options.Seed }, stageProgress);
        SetCodebook(fit.Centroids);
    }

    void SetCodebook(Tensor centroids)
    {
        codebook = centroids.DetachFromDisposeScope();
        norms = centroids.square().sum(1).DetachFromDisposeScope();
    }

    protected internal override Tensor EncodeFrames(Tensor frames) =>
        NearestCode.Search(frames, codebook!, norms).Indices.unsqueeze(1);

    protected internal override Tensor DecodeFrames(Tensor codes) => codebook!.index_select(0, codes.select(1, 0));

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe() =>
        (new JsonObject { ["codebookSize"] = Options.CodebookSize, ["seed"] = Options.Seed },
         new Dictionary<string, Tensor> { ["codebook"] = codebook! });

    /// <summary>Rebuilds a fitted VQ from a <see cref="QuantizerFile"/> state.</summary>
    public static VectorQuantizer FromState(QuantizerState state)
    {
        var options = new VqOptions { CodebookSize = state.Setting<int>("codebookSize"), Seed = state.Setting<int>("seed") };
        var codebook = state.Tensor("codebook");
        if (!codebook.shape.SequenceEqual([options.CodebookSize, state.Dimension]))
            throw new InvalidDataException($"the codebook is [{string.Join(", ", codebook.shape)}], expected [{options.CodebookSize}, {state.Dimension}]");
        var quantizer = new VectorQuantizer(state.Dimension, options) { Provenance = new(state.Provenance) };
        quantizer.SetCodebook(codebook);
        return quantizer;
    }
}

/// <summary>Options of a single-codebook vector quantizer.</summary>
public sealed record VqOptions
{
    /// <summary>
    /// Entries of the one codebook; the default 4096 (12 bits) is the largest the zoo builds, since k-means cost
    /// and the fit set it needs grow with K, and 2^12 is already more than RVQ's 10-bit stages.
    /// </summary>
    public int CodebookSize { get; init; } = 4096;

    /// <summary>k-means settings; its Clusters is replaced by <see cref="CodebookSize"/> and its seed by <see cref="Seed"/>.</summary>
    public KMeansOptions KMeans { get; init; } = new();

    public int Seed { get; init; }

    public void Validate()
    {
        if (CodebookSize < 2) throw new ArgumentException($"A codebook needs at least 2 entries, got {CodebookSize}.", nameof(CodebookSize));
        KMeans.Validate();
    }
}
