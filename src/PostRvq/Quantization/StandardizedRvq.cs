using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// The paper's proposal (Lahrichi et al., "Challenging Common Practices in Vector Quantized Neural Audio
/// Compression"): z-score each latent dimension with fit-set statistics, fit and run an RVQ in that space, and
/// de-standardize on decode. Euclidean k-means otherwise spends its codes on the widest dimensions; in the
/// standardized space every dimension counts equally. Truncation keeps the standardization.
/// </summary>
public sealed class StandardizedRvq : FrameQuantizer, ITruncatableQuantizer
{
    Standardization? standardization;
    readonly ResidualVectorQuantizer inner;

    public StandardizedRvq(int dimension, RvqOptions options) : base(dimension)
    {
        inner = new ResidualVectorQuantizer(dimension, options);
    }

    StandardizedRvq(int dimension, Standardization standardization, ResidualVectorQuantizer inner) : base(dimension)
    {
        this.standardization = standardization;
        this.inner = inner;
    }

    public RvqOptions Options => inner.Options;
    public override string Kind => QuantizerKinds.Srvq;
    public override int Codebooks => inner.Codebooks;
    public override IReadOnlyList<long> CodebookSizes => inner.CodebookSizes;
    public override bool IsFitted => standardization is not null && inner.IsFitted;

    /// <summary>The fit-set statistics; null before <see cref="FrameQuantizer.Fit"/>.</summary>
    public Standardization? Standardization => standardization;

    /// <summary>The RVQ in the standardized space.</summary>
    public ResidualVectorQuantizer Inner => inner;

    public IQuantizer Truncate(int codebooks)
    {
        RequireFitted();
        return new StandardizedRvq(Dimension, standardization!, (ResidualVectorQuantizer)inner.Truncate(codebooks)) { Provenance = Provenance };
    }

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        var stats = Standardization.Fit(frames);
        // The first stage's kept entry sits where the raw zero latent (silence) lands once standardized.
        using var silence = stats.Apply(zeros(Dimension));
        inner.Fit(stats.Apply(frames), silence, progress);
        KMeansConvergence.Copy(inner.Provenance, Provenance);
        standardization = stats;
    }

    protected internal override Tensor EncodeFrames(Tensor frames) => inner.EncodeFrames(standardization!.Apply(frames));

    protected internal override Tensor DecodeFrames(Tensor codes) => standardization!.Invert(inner.DecodeFrames(codes));

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe()
    {
        var tensors = Enumerable.Range(0, Codebooks).ToDictionary(s => $"codebook.{s}", s => inner.StageCodebooks[s]);
        tensors["mean"] = standardization!.Mean;
        tensors["std"] = standardization.Std;
        return (ResidualVectorQuantizer.Settings(Options), tensors);
    }

    /// <summary>Rebuilds a fitted standardized RVQ from a <see cref="QuantizerFile"/> state.</summary>
    public static StandardizedRvq FromState(QuantizerState state)
    {
        var stats = new Standardization(state.Tensor("mean"), state.Tensor("std"));
        if (!stats.Mean.shape.SequenceEqual([state.Dimension]) || !stats.Std.shape.SequenceEqual([state.Dimension]))
            throw new InvalidDataException($"mean and std must be [{state.Dimension}]");
        var inner = ResidualVectorQuantizer.FromState(state with { Kind = QuantizerKinds.Rvq });
        return new StandardizedRvq(state.Dimension, stats, inner) { Provenance = new(state.Provenance) };
    }
}
