using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Implements a per-stage variant of the standardized RVQ of Lahrichi et al., "Challenging Common Practices in Vector Quantized Neural Audio Compression".
/// Where <see cref="StandardizedRvq"/> z-scores the latents once, here every stage z-scores its own residual
/// with that residual's fit-set mean and std, runs k-means in that space, and adds the de-standardized centroid
/// back, so later stages, whose residuals shrink unevenly across dimensions, again weigh every dimension equally.
/// Encoding is greedy (no beam) and truncation keeps each stage's statistics.
/// </summary>
public sealed class StageStandardizedRvq : FrameQuantizer, ITruncatableQuantizer
{
    readonly List<Stage> stages;

    /// <summary>One stage: its residual statistics and codebook [K, D] in that residual's standardized space.</summary>
    public sealed record Stage(Standardization Standardization, Tensor Codebook)
    {
        internal Tensor Norms { get; } = Codebook.square().sum(1).DetachFromDisposeScope();

        /// <summary>Codes [N] → their centroids in latent units [N, D].</summary>
        internal Tensor Decode(Tensor codes) => Standardization.Invert(Codebook.index_select(0, codes));
    }

    public StageStandardizedRvq(int dimension, RvqOptions options) : this(dimension, options, [])
    {
    }

    StageStandardizedRvq(int dimension, RvqOptions options, IEnumerable<Stage> fitted) : base(dimension)
    {
        options.Validate();
        if (options.BeamWidth != 1)
            throw new ArgumentException($"The per-stage standardized RVQ encodes greedily; got beam width {options.BeamWidth}.", nameof(options));
        Options = options;
        stages = fitted.ToList();
    }

    public RvqOptions Options { get; }
    public override string Kind => QuantizerKinds.SrvqStage;
    public override int Codebooks => Options.Codebooks;
    public override IReadOnlyList<long> CodebookSizes => Enumerable.Repeat((long)Options.CodebookSize, Options.Codebooks).ToArray();
    public override bool IsFitted => stages.Count == Options.Codebooks;

    /// <summary>The fitted stages.</summary>
    public IReadOnlyList<Stage> Stages => stages;

    /// <summary>Mean squared residual (latent units) after each stage on the fit set.</summary>
    public IReadOnlyList<double> FitErrors { get; private set; } = [];

    public IQuantizer Truncate(int codebooks)
    {
        RequireFitted();
        if (codebooks < 1 || codebooks > Codebooks)
            throw new ArgumentOutOfRangeException(nameof(codebooks), codebooks, $"This RVQ has 1 to {Codebooks} stages.");
        return new StageStandardizedRvq(Dimension, Options with { Codebooks = codebooks }, stages.Take(codebooks)) { Provenance = Provenance };
    }

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        stages.Clear();
        var errors = new List<double>();
        var fits = new List<KMeansResult>();
        var residual = frames.clone();
        for (var s = 0; s < Options.Codebooks; s++)
        {
            using var stageScope = NewDisposeScope();
            var stageIndex = s;
            var stageProgress = progress is null ? null : new SynchronousProgress<string>(detail => progress.Report(new FitProgress(stageIndex + 1, Options.Codebooks, detail)));
            var statistics = Standardization.Fit(residual);
            // The kept entry is where a zero residual lands after this stage's standardization: the stage adds nothing.
            var fit = KMeans.Fit(statistics.Apply(residual), Options.StageKMeans(s), stageProgress, statistics.Apply(zeros(residual.shape[1])));
            fits.Add(fit);
            var stage = new Stage(statistics, fit.Centroids.DetachFromDisposeScope());
            residual.sub_(stage.Decode(Nearest(stage, residual)));
            stages.Add(stage);
            errors.Add(residual.square().sum(1).mean().item<float>());
            progress?.Report(new FitProgress(s + 1, Options.Codebooks, $"stage {s + 1} fitted: residual MSE {errors[^1]:G4}"));
        }
        FitErrors = errors;
        KMeansConvergence.Record(Provenance, fits, Options.KMeans);
    }

    static Tensor Nearest(Stage stage, Tensor residual) =>
        NearestCode.Search(stage.Standardization.Apply(residual), stage.Codebook, stage.Norms).Indices;

    protected internal override Tensor EncodeFrames(Tensor frames)
    {
        var residual = frames.clone();
        var codes = new Tensor[Codebooks];
        for (var s = 0; s < Codebooks; s++)
        {
            codes[s] = Nearest(stages[s], residual);
            residual.sub_(stages[s].Decode(codes[s]));
        }
        return stack(codes, 1);
    }

    protected internal override Tensor DecodeFrames(Tensor codes)
    {
        var frames = zeros(codes.shape[0], Dimension, device: codes.device);
        for (var s = 0; s < Codebooks; s++) frames.add_(stages[s].Decode(codes.select(1, s)));
        return frames;
    }

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe()
    {
        var tensors = new Dictionary<string, Tensor>();
        for (var s = 0; s < Codebooks; s++)
        {
            tensors[$"codebook.{s}"] = stages[s].Codebook;
            tensors[$"mean.{s}"] = stages[s].Standardization.Mean;
            tensors[$"std.{s}"] = stages[s].Standardization.Std;
        }
        return (ResidualVectorQuantizer.Settings(Options), tensors);
    }

    /// <summary>Rebuilds a fitted per-stage standardized RVQ from a <see cref="QuantizerFile"/> state.</summary>
    public static StageStandardizedRvq FromState(QuantizerState state)
    {
        var options = ResidualVectorQuantizer.ReadOptions(state);
        var stages = new List<Stage>();
        for (var s = 0; s < options.Codebooks; s++)
        {
            var (codebook, mean, std) = (state.Tensor($"codebook.{s}"), state.Tensor($"mean.{s}"), state.Tensor($"std.{s}"));
            if (!codebook.shape.SequenceEqual([options.CodebookSize, state.Dimension]))
                throw new InvalidDataException($"codebook {s} is [{string.Join(", ", codebook.shape)}], expected [{options.CodebookSize}, {state.Dimension}]");
            if (!mean.shape.SequenceEqual([state.Dimension]) || !std.shape.SequenceEqual([state.Dimension]))
                throw new InvalidDataException($"mean.{s} and std.{s} must be [{state.Dimension}]");
            stages.Add(new Stage(new Standardization(mean, std), codebook));
        }
        return new StageStandardizedRvq(state.Dimension, options, stages) { Provenance = new(state.Provenance) };
    }
}
