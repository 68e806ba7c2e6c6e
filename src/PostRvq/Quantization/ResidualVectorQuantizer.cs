using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Residual vector quantization (Juang and Gray 1982; the RVQ of SoundStream and EnCodec), fitted after training
/// as in faiss's ResidualQuantizer: stage s runs k-means on what stages 0..s−1 left over, and encoding is greedy,
/// each stage taking the nearest code to the current residual. The first n stages are themselves an RVQ, so
/// <see cref="Truncate"/> gives every lower bitrate from one fit. It does not search jointly over stages.
/// </summary>
public sealed class ResidualVectorQuantizer : FrameQuantizer, ITruncatableQuantizer
{
    public const string Kind = "rvq";
    readonly List<Tensor> stageCodebooks;
    readonly List<Tensor> stageNorms;

    public ResidualVectorQuantizer(int dimension, RvqOptions options) : this(dimension, options, [])
    {
    }

    ResidualVectorQuantizer(int dimension, RvqOptions options, IEnumerable<Tensor> codebooks) : base(dimension)
    {
        options.Validate();
        Options = options;
        stageCodebooks = codebooks.ToList();
        stageNorms = stageCodebooks.Select(c => c.square().sum(1).DetachFromDisposeScope()).ToList();
    }

    /// <summary>A fitted RVQ with the given stage codebooks, each [CodebookSize, D] (copied), such as those an in-loop RVQ learnt.</summary>
    public static ResidualVectorQuantizer FromCodebooks(int dimension, IReadOnlyList<Tensor> codebooks)
    {
        if (codebooks.Count == 0) throw new ArgumentException("At least one codebook is needed.", nameof(codebooks));
        var size = codebooks[0].shape[0];
        foreach (var codebook in codebooks)
            if (codebook.dim() != 2 || codebook.shape[0] != size || codebook.shape[1] != dimension)
                throw new ArgumentException($"Every codebook must be [{size}, {dimension}], got [{string.Join(", ", codebook.shape)}].", nameof(codebooks));
        var options = new RvqOptions { Codebooks = codebooks.Count, CodebookSize = checked((int)size) };
        return new ResidualVectorQuantizer(dimension, options, codebooks.Select(c => c.detach().to_type(ScalarType.Float32).cpu().clone().DetachFromDisposeScope()));
    }

    public RvqOptions Options { get; }
    public override string Name => Kind;
    public override int Codebooks => Options.Codebooks;
    public override IReadOnlyList<long> CodebookSizes => Enumerable.Repeat((long)Options.CodebookSize, Options.Codebooks).ToArray();
    public override bool IsFitted => stageCodebooks.Count == Options.Codebooks;

    /// <summary>Stage codebooks, each [CodebookSize, D].</summary>
    public IReadOnlyList<Tensor> StageCodebooks => stageCodebooks;

    /// <summary>Mean squared residual after each stage, measured on the fit set (filled by <see cref="FrameQuantizer.Fit"/>).</summary>
    public IReadOnlyList<double> FitErrors { get; private set; } = [];

    public IQuantizer Truncate(int codebooks)
    {
        RequireFitted();
        if (codebooks < 1 || codebooks > Codebooks)
            throw new ArgumentOutOfRangeException(nameof(codebooks), codebooks, $"This RVQ has 1 to {Codebooks} stages.");
        return new ResidualVectorQuantizer(Dimension, Options with { Codebooks = codebooks }, stageCodebooks.Take(codebooks))
        {
            Provenance = Provenance,
        };
    }

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        stageCodebooks.Clear();
        stageNorms.Clear();
        var errors = new List<double>();
        var residual = frames.clone();
        for (var stage = 0; stage < Options.Codebooks; stage++)
        {
            using var stageScope = NewDisposeScope();
            var stageProgress = progress is null ? null : new Progress<string>(detail => progress.Report(new FitProgress(stage + 1, Options.Codebooks, detail)));
            var fit = KMeans.Fit(residual, Options.StageKMeans(stage), stageProgress);
            var codebook = fit.Centroids.DetachFromDisposeScope();
            var norms = codebook.square().sum(1).DetachFromDisposeScope();
            residual.sub_(codebook.index_select(0, NearestCode.Search(residual, codebook, norms).Indices));
            stageCodebooks.Add(codebook);
            stageNorms.Add(norms);
            errors.Add(residual.square().sum(1).mean().item<float>());
            progress?.Report(new FitProgress(stage + 1, Options.Codebooks, $"stage {stage + 1} fitted: residual MSE {errors[^1]:G4}"));
        }
        FitErrors = errors;
    }

    protected internal override Tensor EncodeFrames(Tensor frames)
    {
        var residual = frames.clone();
        var codes = new Tensor[Codebooks];
        for (var stage = 0; stage < Codebooks; stage++)
        {
            codes[stage] = NearestCode.Search(residual, stageCodebooks[stage], stageNorms[stage]).Indices;
            residual.sub_(stageCodebooks[stage].index_select(0, codes[stage]));
        }
        return stack(codes, 1);
    }

    protected internal override Tensor DecodeFrames(Tensor codes)
    {
        var frames = zeros(codes.shape[0], Dimension, device: codes.device);
        for (var stage = 0; stage < Codebooks; stage++)
            frames.add_(stageCodebooks[stage].index_select(0, codes.select(1, stage)));
        return frames;
    }

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe() =>
        (Settings(Options), Enumerable.Range(0, Codebooks).ToDictionary(s => $"codebook.{s}", s => stageCodebooks[s]));

    internal static JsonObject Settings(RvqOptions options) => new()
    {
        ["codebooks"] = options.Codebooks,
        ["codebookSize"] = options.CodebookSize,
        ["seed"] = options.Seed,
    };

    internal static RvqOptions ReadOptions(QuantizerState state) => new()
    {
        Codebooks = state.Setting<int>("codebooks"),
        CodebookSize = state.Setting<int>("codebookSize"),
        Seed = state.Setting<int>("seed"),
    };

    /// <summary>Rebuilds a fitted RVQ from a <see cref="QuantizerFile"/> state.</summary>
    public static ResidualVectorQuantizer FromState(QuantizerState state)
    {
        var options = ReadOptions(state);
        var codebooks = Enumerable.Range(0, options.Codebooks).Select(s => state.Tensor($"codebook.{s}")).ToList();
        foreach (var codebook in codebooks)
            if (codebook.dim() != 2 || codebook.shape[0] != options.CodebookSize || codebook.shape[1] != state.Dimension)
                throw new InvalidDataException(
                    $"a codebook is [{string.Join(", ", codebook.shape)}], expected [{options.CodebookSize}, {state.Dimension}]");
        return new ResidualVectorQuantizer(state.Dimension, options, codebooks) { Provenance = new(state.Provenance) };
    }
}
