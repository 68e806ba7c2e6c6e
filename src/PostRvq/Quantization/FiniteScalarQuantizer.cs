using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Implements Mentzer et al. 2023, "Finite Scalar Quantization: VQ-VAE Made Simple", fitted after training.
/// Frames are whitened (<see cref="WhiteningKind"/>), the first Levels.Length components are bounded into (0, 1)
/// by tanh or the Gaussian CDF and each is cut into L equal cells; decoding maps cell centres back through the
/// inverse bound, leaves uncoded components at their mean and undoes the whitening. Consecutive components are
/// packed GroupSize at a time into one code stream as a mixed-radix number, so a stream's codebook is the product
/// of its levels (the paper's implicit codebook). Nothing is learnt but the whitening: the grid is fixed.
/// </summary>
public sealed class FiniteScalarQuantizer : FrameQuantizer
{
    readonly long[] groupSizes;
    readonly Tensor levelCounts;
    readonly Tensor radix;
    readonly Tensor groupOfComponent;
    Whitening? whitening;

    public FiniteScalarQuantizer(int dimension, FsqOptions options) : base(dimension)
    {
        options.Validate();
        if (options.Levels.Length > dimension)
            throw new ArgumentException($"{options.Levels.Length} coded components exceed the {dimension} latent dims.", nameof(options));
        Options = options;
        var groups = options.Levels.Chunk(options.GroupSize).ToArray();
        groupSizes = groups.Select(g => g.Aggregate(1L, (a, l) => a * l)).ToArray();
        levelCounts = tensor(options.Levels.Select(l => (float)l).ToArray()).DetachFromDisposeScope();
        radix = tensor(groups.SelectMany(g => g.Select((_, i) => g.Take(i).Aggregate(1L, (a, l) => a * l))).ToArray()).DetachFromDisposeScope();
        groupOfComponent = tensor(Enumerable.Range(0, options.Levels.Length).Select(c => (long)(c / options.GroupSize)).ToArray()).DetachFromDisposeScope();
    }

    public FsqOptions Options { get; }
    public override string Kind => QuantizerKinds.Fsq;
    public override int Codebooks => groupSizes.Length;
    public override IReadOnlyList<long> CodebookSizes => groupSizes;
    public override bool IsFitted => whitening is not null;

    /// <summary>The fitted whitening; null before fitting.</summary>
    public Whitening? Whitening => whitening;

    int Coded => Options.Levels.Length;

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        whitening = Whitening.Fit(frames, Options.Whitening);
        progress?.Report(new FitProgress(1, 1, $"{Options.Whitening} whitening fitted; coding {Coded} of {Dimension} components"));
    }

    protected internal override Tensor EncodeFrames(Tensor frames)
    {
        var components = whitening!.Apply(frames).narrow(1, 0, Coded);
        var cells = (Bound(components) * levelCounts).floor().clamp(min: 0).minimum(levelCounts - 1).to_type(ScalarType.Int64);
        return zeros(frames.shape[0], Codebooks, dtype: ScalarType.Int64, device: frames.device).index_add_(1, groupOfComponent, cells * radix, 1);
    }

    protected internal override Tensor DecodeFrames(Tensor codes)
    {
        var cells = codes.index_select(1, groupOfComponent).div(radix, rounding_mode: RoundingMode.floor).remainder(levelCounts.to_type(ScalarType.Int64));
        var centres = Unbound((cells.to_type(ScalarType.Float32) + 0.5f) / levelCounts);
        var components = zeros(codes.shape[0], Dimension, device: codes.device);
        components.narrow(1, 0, Coded).copy_(centres);
        return whitening!.Invert(components);
    }

    /// <summary>Unit-variance components → (0, 1).</summary>
    Tensor Bound(Tensor components) => Options.Bound == FsqBound.Tanh
        ? (components.tanh() + 1) / 2
        : (special.erf(components / Math.Sqrt(2)) + 1) / 2;

    /// <summary>(0, 1) → components; the inverse of <see cref="Bound"/>.</summary>
    Tensor Unbound(Tensor unit) => Options.Bound == FsqBound.Tanh
        ? (unit * 2 - 1).atanh()
        : special.erfinv(unit * 2 - 1) * Math.Sqrt(2);

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe() =>
        (Settings(Options), new Dictionary<string, Tensor> { ["mean"] = whitening!.Mean, ["basis"] = whitening.Basis, ["scale"] = whitening.Scale });

    internal static JsonObject Settings(FsqOptions options) => new()
    {
        ["levels"] = new JsonArray(options.Levels.Select(l => (JsonNode)l).ToArray()),
        ["groupSize"] = options.GroupSize,
        ["whitening"] = options.Whitening.ToString(),
        ["bound"] = options.Bound.ToString(),
    };

    internal static FsqOptions ReadOptions(QuantizerState state)
    {
        var levels = state.Settings["levels"] as JsonArray ?? throw new InvalidDataException($"The saved {state.Kind} quantizer has no levels.");
        return new FsqOptions
        {
            Levels = levels.Select(l => l?.GetValue<int>() ?? throw new InvalidDataException($"The saved {state.Kind} quantizer has a null level.")).ToArray(),
            GroupSize = state.Setting<int>("groupSize"),
            Whitening = Enum.TryParse<WhiteningKind>(state.Setting<string>("whitening"), out var kind) ? kind
                : throw new InvalidDataException($"unknown whitening '{state.Setting<string>("whitening")}'"),
            Bound = Enum.TryParse<FsqBound>(state.Setting<string>("bound"), out var bound) ? bound
                : throw new InvalidDataException($"unknown bound '{state.Setting<string>("bound")}'"),
        };
    }

    /// <summary>An FSQ with these options and an already fitted whitening (used by <see cref="ResidualFsq"/>).</summary>
    internal static FiniteScalarQuantizer Fitted(int dimension, FsqOptions options, Whitening whitening)
    {
        whitening.Validate(dimension);
        return new FiniteScalarQuantizer(dimension, options) { whitening = whitening };
    }

    /// <summary>Rebuilds a fitted FSQ from a <see cref="QuantizerFile"/> state.</summary>
    public static FiniteScalarQuantizer FromState(QuantizerState state)
    {
        var whitening = new Whitening(state.Tensor("mean"), state.Tensor("basis"), state.Tensor("scale"));
        whitening.Validate(state.Dimension);
        return new FiniteScalarQuantizer(state.Dimension, ReadOptions(state)) { whitening = whitening, Provenance = new(state.Provenance) };
    }
}

/// <summary>The bounding function that maps a unit-variance component into (0, 1).</summary>
public enum FsqBound
{
    /// <summary>(1 + tanh z) / 2, the paper's bound.</summary>
    Tanh,

    /// <summary>Φ(z), the standard normal CDF: equiprobable cells for Gaussian components.</summary>
    GaussianCdf,
}

/// <summary>Post-training FSQ options; the default is the paper's 2^16 set coded as one stream.</summary>
public sealed record FsqOptions
{
    /// <summary>Levels of each coded component, largest-variance component first; later components are not coded.</summary>
    public int[] Levels { get; init; } = [8, 8, 8, 5, 5, 5];

    /// <summary>Consecutive components packed into one code stream.</summary>
    public int GroupSize { get; init; } = 6;

    /// <summary>PCA by default: when the budget cannot code every component, it drops the least energetic ones.</summary>
    public WhiteningKind Whitening { get; init; } = WhiteningKind.Pca;

    /// <summary>The Gaussian CDF by default: whitened latents are roughly Gaussian, so its cells are roughly equiprobable.</summary>
    public FsqBound Bound { get; init; } = FsqBound.GaussianCdf;

    /// <summary>Options that spend as much of <paramref name="bitsBudget"/> as the paper's level sets allow (see <see cref="FsqLevels.ForBudget"/>).</summary>
    public static FsqOptions ForBudget(int dimension, double bitsBudget)
    {
        var (levels, groupSize) = FsqLevels.ForBudget(dimension, bitsBudget);
        return new FsqOptions { Levels = levels, GroupSize = groupSize };
    }

    public void Validate()
    {
        if (Levels.Length == 0) throw new ArgumentException("FSQ needs at least one coded component.", nameof(Levels));
        if (Levels.Any(l => l < 2)) throw new ArgumentException($"Every component needs at least 2 levels, got [{string.Join(", ", Levels)}].", nameof(Levels));
        if (GroupSize < 1) throw new ArgumentException($"GroupSize must be at least 1, got {GroupSize}.", nameof(GroupSize));
        if (Levels.Chunk(GroupSize).Any(g => g.Aggregate(1L, (a, l) => a * l) > int.MaxValue))
            throw new ArgumentException("A code stream's codebook (the product of its levels) must stay below 2^31 entries.", nameof(Levels));
    }
}
