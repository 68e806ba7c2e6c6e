using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Implements Jégou, Douze and Schmid 2011, "Product Quantization for Nearest Neighbor Search".
/// Splits the D dimensions into M contiguous groups (sizes differ by at most one when M does not divide D) and
/// fits one k-means codebook per group; a frame's code is its M nearest sub-codes. It assumes the groups are
/// roughly independent: correlation across groups is not exploited, which is where RVQ wins.
/// </summary>
public sealed class ProductQuantizer : FrameQuantizer
{
    readonly List<Tensor> groupCodebooks;
    readonly List<Tensor> groupNorms;

    public ProductQuantizer(int dimension, PqOptions options) : this(dimension, options, [])
    {
    }

    ProductQuantizer(int dimension, PqOptions options, IEnumerable<Tensor> codebooks) : base(dimension)
    {
        options.Validate();
        if (options.Groups > dimension)
            throw new ArgumentException($"A product quantizer of {dimension} dims can have at most {dimension} groups, got {options.Groups}.", nameof(options));
        Options = options;
        GroupWidths = Enumerable.Range(0, options.Groups).Select(g => dimension / options.Groups + (g < dimension % options.Groups ? 1 : 0)).ToArray();
        groupCodebooks = codebooks.ToList();
        groupNorms = groupCodebooks.Select(c => c.square().sum(1).DetachFromDisposeScope()).ToList();
    }

    public PqOptions Options { get; }
    public override string Kind => QuantizerKinds.Pq;
    public override int Codebooks => Options.Groups;
    public override IReadOnlyList<long> CodebookSizes => Enumerable.Repeat((long)Options.CodebookSize, Options.Groups).ToArray();
    public override bool IsFitted => groupCodebooks.Count == Options.Groups;

    /// <summary>Dimensions in each group, in order; the first D mod M groups hold one more.</summary>
    public IReadOnlyList<int> GroupWidths { get; }

    /// <summary>Group codebooks, group g's is [CodebookSize, GroupWidths[g]].</summary>
    public IReadOnlyList<Tensor> GroupCodebooks => groupCodebooks;

    IEnumerable<Tensor> Split(Tensor frames) => frames.split(GroupWidths.Select(w => (long)w).ToArray(), 1);

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        groupCodebooks.Clear();
        groupNorms.Clear();
        var group = 0;
        foreach (var part in Split(frames))
        {
            var current = group;
            var groupProgress = progress is null ? null : new SynchronousProgress<string>(detail => progress.Report(new FitProgress(current + 1, Codebooks, detail)));
            var fit = KMeans.Fit(part.contiguous(), Options.KMeans with { Clusters = Options.CodebookSize, Seed = Options.Seed * 1000 + group }, groupProgress);
            groupCodebooks.Add(fit.Centroids.DetachFromDisposeScope());
            groupNorms.Add(fit.Centroids.square().sum(1).DetachFromDisposeScope());
            group++;
        }
    }

    protected internal override Tensor EncodeFrames(Tensor frames) =>
        stack(Split(frames).Select((part, g) => NearestCode.Search(part, groupCodebooks[g], groupNorms[g]).Indices).ToArray(), 1);

    protected internal override Tensor DecodeFrames(Tensor codes) =>
        cat(Enumerable.Range(0, Codebooks).Select(g => groupCodebooks[g].index_select(0, codes.select(1, g))).ToArray(), 1);

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe() =>
        (new JsonObject { ["groups"] = Options.Groups, ["codebookSize"] = Options.CodebookSize, ["seed"] = Options.Seed },
         Enumerable.Range(0, Codebooks).ToDictionary(g => $"codebook.{g}", g => groupCodebooks[g]));

    /// <summary>Rebuilds a fitted product quantizer from a <see cref="QuantizerFile"/> state.</summary>
    public static ProductQuantizer FromState(QuantizerState state)
    {
        var options = new PqOptions
        {
            Groups = state.Setting<int>("groups"),
            CodebookSize = state.Setting<int>("codebookSize"),
            Seed = state.Setting<int>("seed"),
        };
        var shell = new ProductQuantizer(state.Dimension, options);
        var codebooks = Enumerable.Range(0, options.Groups).Select(g => state.Tensor($"codebook.{g}")).ToList();
        for (var g = 0; g < codebooks.Count; g++)
            if (!codebooks[g].shape.SequenceEqual([options.CodebookSize, shell.GroupWidths[g]]))
                throw new InvalidDataException(
                    $"codebook {g} is [{string.Join(", ", codebooks[g].shape)}], expected [{options.CodebookSize}, {shell.GroupWidths[g]}]");
        return new ProductQuantizer(state.Dimension, options, codebooks) { Provenance = new(state.Provenance) };
    }
}

/// <summary>Product quantizer options; defaults give the paper's 10-bit codebooks.</summary>
public sealed record PqOptions
{
    /// <summary>Sub-vectors M per frame, one code stream each; at most D.</summary>
    public int Groups { get; init; } = 8;

    /// <summary>Entries of each sub-vector's codebook; 1024 is the paper's and EnCodec's 10 bits.</summary>
    public int CodebookSize { get; init; } = 1024;

    /// <summary>k-means for each group; its Clusters is replaced by <see cref="CodebookSize"/> and its seed offset by the group.</summary>
    public KMeansOptions KMeans { get; init; } = new();

    public int Seed { get; init; }

    public void Validate()
    {
        if (Groups < 1) throw new ArgumentException($"A product quantizer needs at least 1 group, got {Groups}.", nameof(Groups));
        if (CodebookSize < 2) throw new ArgumentException($"Codebooks need at least 2 entries, got {CodebookSize}.", nameof(CodebookSize));
        KMeans.Validate();
    }
}
