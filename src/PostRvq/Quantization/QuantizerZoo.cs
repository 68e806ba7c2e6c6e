namespace PostRvq.Quantization;

/// <summary>
/// One family of quantizers the comparison can run: its method name, a one-line description, and a factory
/// that builds an unfitted quantizer for a <see cref="QuantizerRequest"/>. Truncatable families are fitted once
/// at the deepest request and truncated for the others.
/// </summary>
public sealed record QuantizerMethod(string Name, string Description, Func<QuantizerRequest, IQuantizer> Create);

/// <summary>
/// The registry of quantizer families by method name. Built-in ones are listed here; a researcher's own
/// quantizer joins with <see cref="Register"/> and is then compared like any other.
/// </summary>
public static class QuantizerZoo
{
    static readonly Dictionary<string, QuantizerMethod> Methods = new(StringComparer.OrdinalIgnoreCase);

    static QuantizerZoo()
    {
        Register(new QuantizerMethod(ResidualVectorQuantizer.Kind, "residual k-means (greedy RVQ)",
            r => new ResidualVectorQuantizer(r.Dimension, RvqFor(r))));
        Register(new QuantizerMethod(StandardizedRvq.Kind, "standardized RVQ (the paper's proposal)",
            r => new StandardizedRvq(r.Dimension, RvqFor(r))));
        Register(new QuantizerMethod(ResidualVectorQuantizer.BeamKind, "residual k-means with beam-search encoding (beam 4)",
            r => new ResidualVectorQuantizer(r.Dimension, RvqFor(r) with { BeamWidth = 4 })));
        Register(new QuantizerMethod(StageStandardizedRvq.Kind, "RVQ whose every stage z-scores its own residual",
            r => new StageStandardizedRvq(r.Dimension, RvqFor(r))));
        Register(new QuantizerMethod(VectorQuantizer.Kind, "one k-means codebook of up to 2^12 entries",
            r => new VectorQuantizer(r.Dimension, new VqOptions
            {
                CodebookSize = 1 << Math.Clamp(WholeBits(r), 1, MaxVqBits),
                KMeans = r.KMeans,
                Seed = r.Seed,
            })));
        Register(new QuantizerMethod(ProductQuantizer.Kind, "product quantization: one k-means codebook per group of dims",
            r => new ProductQuantizer(r.Dimension, new PqOptions
            {
                Groups = Math.Min(r.Codebooks, r.Dimension),
                CodebookSize = r.CodebookSize,
                KMeans = r.KMeans,
                Seed = r.Seed,
            })));
        Register(new QuantizerMethod(UniformScalarQuantizer.Kind, "uniform per-dimension levels, bits by reverse water-filling",
            r => new UniformScalarQuantizer(r.Dimension, new ScalarOptions { Bits = ScalarBits(r, new ScalarOptions().MaxBitsPerDimension) })));
        Register(new QuantizerMethod(LloydMaxQuantizer.Kind, "Lloyd–Max per-dimension levels, bits by reverse water-filling",
            r => new LloydMaxQuantizer(r.Dimension, new LloydMaxOptions { Bits = ScalarBits(r, new LloydMaxOptions().MaxBitsPerDimension) })));
        Register(new QuantizerMethod(FiniteScalarQuantizer.Kind, "post-training FSQ on PCA-whitened latents with the paper's level sets",
            r => new FiniteScalarQuantizer(r.Dimension, FsqOptions.ForBudget(r.Dimension, r.BitsPerFrameBudget))));
        Register(new QuantizerMethod(ResidualFsq.Kind, "residual FSQ: one FSQ code per stage on the re-whitened residual",
            r => new ResidualFsq(r.Dimension, RfsqOptions.ForBudget(r.Dimension, r.CodebookSize, r.BitsPerFrameBudget))));
    }

    /// <summary>The largest VQ codebook the zoo builds is 2^12: k-means cost and the fit set it needs grow with K.</summary>
    const int MaxVqBits = 12;

    /// <summary>Whole bits the request's budget allows; the tolerance keeps exact budgets from losing a bit to rounding.</summary>
    static int WholeBits(QuantizerRequest request) => (int)Math.Floor(request.BitsPerFrameBudget + 1e-9);

    /// <summary>Bits per frame of a scalar quantizer: the whole budget, at least 1, at most what D dims of maxBits hold.</summary>
    static int ScalarBits(QuantizerRequest request, int maxBitsPerDimension) =>
        Math.Clamp(WholeBits(request), 1, request.Dimension * maxBitsPerDimension);

    /// <summary>Registers the loaders of the built-in kinds with <see cref="QuantizerFile"/>.</summary>
    internal static void RegisterLoaders()
    {
        QuantizerFile.Register(ResidualVectorQuantizer.Kind, ResidualVectorQuantizer.FromState);
        QuantizerFile.Register(StandardizedRvq.Kind, StandardizedRvq.FromState);
        QuantizerFile.Register(ResidualVectorQuantizer.BeamKind, ResidualVectorQuantizer.FromState);
        QuantizerFile.Register(StageStandardizedRvq.Kind, StageStandardizedRvq.FromState);
        QuantizerFile.Register(VectorQuantizer.Kind, VectorQuantizer.FromState);
        QuantizerFile.Register(ProductQuantizer.Kind, ProductQuantizer.FromState);
        QuantizerFile.Register(UniformScalarQuantizer.Kind, UniformScalarQuantizer.FromState);
        QuantizerFile.Register(LloydMaxQuantizer.Kind, LloydMaxQuantizer.FromState);
        QuantizerFile.Register(FiniteScalarQuantizer.Kind, FiniteScalarQuantizer.FromState);
        QuantizerFile.Register(ResidualFsq.Kind, ResidualFsq.FromState);
    }

    /// <summary>Adds or replaces a family.</summary>
    public static void Register(QuantizerMethod method)
    {
        lock (Methods) Methods[method.Name] = method;
    }

    /// <summary>All registered families, by name.</summary>
    public static IReadOnlyList<QuantizerMethod> All
    {
        get { lock (Methods) return Methods.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>The family called <paramref name="name"/>, or an error listing the known ones.</summary>
    public static QuantizerMethod Get(string name)
    {
        lock (Methods)
            return Methods.TryGetValue(name, out var method)
                ? method
                : throw new ArgumentException($"Unknown quantizer method '{name}'; known: {string.Join(", ", Methods.Keys.Order())}.", nameof(name));
    }

    /// <summary>An unfitted quantizer of family <paramref name="name"/> for the request.</summary>
    public static IQuantizer Create(string name, QuantizerRequest request) => Get(name).Create(request);

    /// <summary>RVQ options with as many 10-bit stages as the request's bitrate allows.</summary>
    public static RvqOptions RvqFor(QuantizerRequest request) => new()
    {
        Codebooks = request.Codebooks,
        CodebookSize = request.CodebookSize,
        KMeans = request.KMeans,
        Seed = request.Seed,
    };
}
