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
    }

    /// <summary>Registers the loaders of the built-in kinds with <see cref="QuantizerFile"/>.</summary>
    internal static void RegisterLoaders()
    {
        QuantizerFile.Register(ResidualVectorQuantizer.Kind, ResidualVectorQuantizer.FromState);
        QuantizerFile.Register(StandardizedRvq.Kind, StandardizedRvq.FromState);
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
