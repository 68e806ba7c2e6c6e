using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Implements residual FSQ in the spirit of Mentzer et al. 2023 (FSQ) stacked like RVQ (Zeghidour et al. 2021), fitted after training.
/// Stage s whitens what stages 0..s−1 left over with its own statistics, so every stage sees a unit-scale
/// residual, and codes its leading components with one FSQ code of the paper's levels (one stream per stage).
/// Encoding is greedy and the first n stages form a coarser RFSQ, so <see cref="Truncate"/> serves lower
/// bitrates from one fit. The grid of each stage is fixed; only the whitenings are fitted.
/// </summary>
public sealed class ResidualFsq : FrameQuantizer, ITruncatableQuantizer
{
    readonly List<FiniteScalarQuantizer> stages;

    public ResidualFsq(int dimension, RfsqOptions options) : this(dimension, options, [])
    {
    }

    ResidualFsq(int dimension, RfsqOptions options, IEnumerable<FiniteScalarQuantizer> fitted) : base(dimension)
    {
        options.Validate();
        if (options.Levels.Length > dimension)
            throw new ArgumentException($"A stage's {options.Levels.Length} coded components exceed the {dimension} latent dims.", nameof(options));
        Options = options;
        stages = fitted.ToList();
    }

    public RfsqOptions Options { get; }
    public override string Kind => QuantizerKinds.Rfsq;
    public override int Codebooks => Options.Stages;
    public override IReadOnlyList<long> CodebookSizes => Enumerable.Repeat(Options.Levels.Aggregate(1L, (a, l) => a * l), Options.Stages).ToArray();
    public override bool IsFitted => stages.Count == Options.Stages;

    /// <summary>The fitted stages, each a one-stream FSQ over its residual.</summary>
    public IReadOnlyList<FiniteScalarQuantizer> Stages => stages;

    /// <summary>Mean squared residual after each stage on the fit set.</summary>
    public IReadOnlyList<double> FitErrors { get; private set; } = [];

    FsqOptions StageOptions => new() { Levels = Options.Levels, GroupSize = Options.Levels.Length, Whitening = Options.Whitening, Bound = Options.Bound };

    public IQuantizer Truncate(int codebooks)
    {
        RequireFitted();
        if (codebooks < 1 || codebooks > Codebooks)
            throw new ArgumentOutOfRangeException(nameof(codebooks), codebooks, $"This RFSQ has 1 to {Codebooks} stages.");
        return new ResidualFsq(Dimension, Options with { Stages = codebooks }, stages.Take(codebooks)) { Provenance = Provenance };
    }

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        stages.Clear();
        var errors = new List<double>();
        var residual = frames.clone();
        for (var s = 0; s < Options.Stages; s++)
        {
            using var stageScope = NewDisposeScope();
            var stage = new FiniteScalarQuantizer(Dimension, StageOptions);
            stage.Fit(residual);
            residual.sub_(stage.DecodeFrames(stage.EncodeFrames(residual)));
            stages.Add(stage);
            errors.Add(residual.square().sum(1).mean().item<float>());
            progress?.Report(new FitProgress(s + 1, Options.Stages, $"stage {s + 1} fitted: residual MSE {errors[^1]:G4}"));
        }
        FitErrors = errors;
    }

    protected internal override Tensor EncodeFrames(Tensor frames)
    {
        var residual = frames.clone();
        var codes = new Tensor[Codebooks];
        for (var s = 0; s < Codebooks; s++)
        {
            codes[s] = stages[s].EncodeFrames(residual);
            residual.sub_(stages[s].DecodeFrames(codes[s]));
        }
        return cat(codes, 1);
    }

    protected internal override Tensor DecodeFrames(Tensor codes)
    {
        var frames = zeros(codes.shape[0], Dimension, device: codes.device);
        for (var s = 0; s < Codebooks; s++) frames.add_(stages[s].DecodeFrames(codes.narrow(1, s, 1)));
        return frames;
    }

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe()
    {
        var settings = FiniteScalarQuantizer.Settings(StageOptions);
        settings["stages"] = Options.Stages;
        var tensors = new Dictionary<string, Tensor>();
        for (var s = 0; s < Codebooks; s++)
        {
            var whitening = stages[s].Whitening!;
            tensors[$"stage.{s}.mean"] = whitening.Mean;
            tensors[$"stage.{s}.basis"] = whitening.Basis;
            tensors[$"stage.{s}.scale"] = whitening.Scale;
        }
        return (settings, tensors);
    }

    /// <summary>Rebuilds a fitted RFSQ from a <see cref="QuantizerFile"/> state.</summary>
    public static ResidualFsq FromState(QuantizerState state)
    {
        var stageOptions = FiniteScalarQuantizer.ReadOptions(state);
        var options = new RfsqOptions
        {
            Stages = state.Setting<int>("stages"),
            Levels = stageOptions.Levels,
            Whitening = stageOptions.Whitening,
            Bound = stageOptions.Bound,
        };
        var stages = Enumerable.Range(0, options.Stages).Select(s => FiniteScalarQuantizer.Fitted(state.Dimension, stageOptions,
            new Whitening(state.Tensor($"stage.{s}.mean"), state.Tensor($"stage.{s}.basis"), state.Tensor($"stage.{s}.scale"))));
        return new ResidualFsq(state.Dimension, options, stages) { Provenance = new(state.Provenance) };
    }
}

/// <summary>Residual FSQ options; the default is 32 stages of the paper's 2^10 set, about the paper's 32 × 10-bit RVQ.</summary>
public sealed record RfsqOptions
{
    public int Stages { get; init; } = 32;

    /// <summary>Levels of each stage's coded components; [8, 5, 5, 5] is the paper's set for 2^10 (1000 entries).</summary>
    public int[] Levels { get; init; } = [8, 5, 5, 5];

    /// <summary>Each stage's whitening of its residual; PCA makes a stage code the residual's strongest directions.</summary>
    public WhiteningKind Whitening { get; init; } = WhiteningKind.Pca;

    public FsqBound Bound { get; init; } = FsqBound.GaussianCdf;

    /// <summary>
    /// Stages of the recommended set for <paramref name="codebookSize"/> (see <see cref="FsqLevels.ForCodebookSize"/>,
    /// cut to <paramref name="dimension"/> components) as many as fit the bits budget; when not even one fits, one
    /// stage of the levels <see cref="FsqLevels.ForBudget"/> allows.
    /// </summary>
    public static RfsqOptions ForBudget(int dimension, int codebookSize, double bitsBudget)
    {
        var levels = FsqLevels.ForCodebookSize(codebookSize).Take(dimension).ToArray();
        var stages = Metrics.Bitrate.CountWithin(bitsBudget, FsqLevels.Bits(levels));
        return stages >= 1
            ? new RfsqOptions { Levels = levels, Stages = stages }
            : new RfsqOptions { Levels = FsqLevels.ForBudget(levels.Length, bitsBudget).Levels, Stages = 1 };
    }

    public void Validate()
    {
        if (Stages < 1) throw new ArgumentException($"An RFSQ needs at least 1 stage, got {Stages}.", nameof(Stages));
        new FsqOptions { Levels = Levels, GroupSize = Math.Max(1, Levels.Length) }.Validate();
    }
}
