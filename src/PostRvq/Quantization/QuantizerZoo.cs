namespace PostRvq.Quantization;

/// <summary>
/// One family of quantizers the comparison can run: its kind (<see cref="IQuantizer.Kind"/>), a one-line description, and a factory
/// that builds an unfitted quantizer for a <see cref="QuantizerRequest"/>. Truncatable families are fitted once
/// at the deepest request and truncated for the others.
/// </summary>
public sealed record QuantizerMethod(string Kind, string Description, Func<QuantizerRequest, IQuantizer> Create);

/// <summary>
/// The registry of quantizer families by kind. Built-in ones are listed here; a researcher's own
/// quantizer joins with <see cref="Register"/> and is then compared like any other.
/// </summary>
public static class QuantizerZoo
{
    static readonly Dictionary<string, QuantizerMethod> Methods = new(StringComparer.OrdinalIgnoreCase);

    static QuantizerZoo()
    {
        Register(new QuantizerMethod(QuantizerKinds.Rvq, "residual k-means (greedy RVQ)",
            r => new ResidualVectorQuantizer(r.Dimension, RvqFor(r))));
        Register(new QuantizerMethod(QuantizerKinds.Srvq, "standardized RVQ (the paper's proposal)",
            r => new StandardizedRvq(r.Dimension, RvqFor(r))));
        Register(new QuantizerMethod(QuantizerKinds.RvqBeam, "residual k-means with beam-search encoding (beam 4)",
            r => new ResidualVectorQuantizer(r.Dimension, RvqFor(r) with { BeamWidth = 4 })));
        Register(new QuantizerMethod(QuantizerKinds.SrvqStage, "RVQ whose every stage z-scores its own residual",
            r => new StageStandardizedRvq(r.Dimension, RvqFor(r))));
        Register(new QuantizerMethod(QuantizerKinds.GainShapeSrvq, "gain–shape: the frame's norm on a log scale, its direction by standardized RVQ",
            r => new GainShapeSrvq(r.Dimension, RvqFor(r))));
        Register(new QuantizerMethod(QuantizerKinds.Vq, "one k-means codebook of up to 2^12 entries",
            r => new VectorQuantizer(r.Dimension, new VqOptions
            {
                CodebookSize = 1 << Math.Clamp(WholeBits(r), 1, MaxVqBits),
                KMeans = r.KMeans,
                Seed = r.Seed,
            })));
        Register(new QuantizerMethod(QuantizerKinds.Pq, "product quantization: one k-means codebook per group of dims",
            r => new ProductQuantizer(r.Dimension, new PqOptions
            {
                Groups = Math.Min(r.Codebooks, r.Dimension),
                CodebookSize = r.CodebookSize,
                KMeans = r.KMeans,
                Seed = r.Seed,
            })));
        Register(new QuantizerMethod(QuantizerKinds.Scalar, "uniform per-dimension levels, bits by reverse water-filling",
            r => new UniformScalarQuantizer(r.Dimension, new ScalarOptions { Bits = ScalarBits(r, new ScalarOptions().MaxBitsPerDimension) })));
        Register(new QuantizerMethod(QuantizerKinds.LloydMax, "Lloyd–Max per-dimension levels, bits by reverse water-filling",
            r => new LloydMaxQuantizer(r.Dimension, new LloydMaxOptions { Bits = ScalarBits(r, new LloydMaxOptions().MaxBitsPerDimension) })));
        Register(new QuantizerMethod(QuantizerKinds.Fsq, "post-training FSQ on PCA-whitened latents with the paper's level sets",
            r => new FiniteScalarQuantizer(r.Dimension, FsqOptions.ForBudget(r.Dimension, r.BitsPerFrameBudget))));
        Register(new QuantizerMethod(QuantizerKinds.Rfsq, "residual FSQ: one FSQ code per stage on the re-whitened residual",
            r => new ResidualFsq(r.Dimension, RfsqOptions.ForBudget(r.Dimension, r.CodebookSize, r.BitsPerFrameBudget))));
    }

    /// <summary>The largest VQ codebook the zoo builds is 2^12: k-means cost and the fit set it needs grow with K.</summary>
    const int MaxVqBits = 12;

    /// <summary>Whole bits the request's budget allows.</summary>
    static int WholeBits(QuantizerRequest request) => Metrics.Bitrate.CountWithin(request.BitsPerFrameBudget, 1);

    /// <summary>Bits per frame of a scalar quantizer: the whole budget, at least 1, at most what D dims of maxBits hold.</summary>
    static int ScalarBits(QuantizerRequest request, int maxBitsPerDimension) =>
        Math.Clamp(WholeBits(request), 1, request.Dimension * maxBitsPerDimension);

    /// <summary>Registers the loaders of the built-in kinds with <see cref="QuantizerFile"/>.</summary>
    internal static void RegisterLoaders()
    {
        QuantizerFile.Register(QuantizerKinds.Rvq, ResidualVectorQuantizer.FromState);
        QuantizerFile.Register(QuantizerKinds.Srvq, StandardizedRvq.FromState);
        QuantizerFile.Register(QuantizerKinds.RvqBeam, ResidualVectorQuantizer.FromState);
        QuantizerFile.Register(QuantizerKinds.SrvqStage, StageStandardizedRvq.FromState);
        QuantizerFile.Register(QuantizerKinds.GainShapeSrvq, GainShapeSrvq.FromState);
        QuantizerFile.Register(QuantizerKinds.Vq, VectorQuantizer.FromState);
        QuantizerFile.Register(QuantizerKinds.Pq, ProductQuantizer.FromState);
        QuantizerFile.Register(QuantizerKinds.Scalar, UniformScalarQuantizer.FromState);
        QuantizerFile.Register(QuantizerKinds.LloydMax, LloydMaxQuantizer.FromState);
        QuantizerFile.Register(QuantizerKinds.Fsq, FiniteScalarQuantizer.FromState);
        QuantizerFile.Register(QuantizerKinds.Rfsq, ResidualFsq.FromState);
        // Learnt with its codec, so it is no method here, but its exported files load like any other.
        QuantizerFile.Register(QuantizerKinds.E2eRvq, InLoop.FactorizedRvq.FromState);
    }

    /// <summary>Adds or replaces a family.</summary>
    public static void Register(QuantizerMethod method)
    {
        lock (Methods) Methods[method.Kind] = method;
    }

    /// <summary>All registered families, by kind.</summary>
    public static IReadOnlyList<QuantizerMethod> All
    {
        get { lock (Methods) return Methods.Values.OrderBy(m => m.Kind, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>The family of <paramref name="kind"/>, or an error listing the known ones.</summary>
    public static QuantizerMethod Get(string kind)
    {
        lock (Methods)
            return Methods.TryGetValue(kind, out var method)
                ? method
                : throw new ArgumentException($"Unknown quantizer method '{kind}'; known: {string.Join(", ", Methods.Keys.Order())}.", nameof(kind));
    }

    /// <summary>An unfitted quantizer of <paramref name="kind"/> for the request.</summary>
    public static IQuantizer Create(string kind, QuantizerRequest request) => Get(kind).Create(request);

    /// <summary>RVQ options with as many 10-bit stages as the request's bitrate allows.</summary>
    public static RvqOptions RvqFor(QuantizerRequest request) => new()
    {
        Codebooks = request.Codebooks,
        CodebookSize = request.CodebookSize,
        KMeans = request.KMeans,
        Seed = request.Seed,
    };
}
