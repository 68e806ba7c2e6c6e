using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>How a scalar-grid quantizer rotates latents before bounding them.</summary>
public enum WhiteningKind
{
    /// <summary>Per-dimension z-scores, dimensions reordered by decreasing variance.</summary>
    Standardize,

    /// <summary>PCA whitening: principal components by decreasing variance, each scaled to unit variance.</summary>
    Pca,
}

/// <summary>
/// An affine map of frames [N, D] to unit-variance components [N, D] ordered by decreasing fit-set variance:
/// components = ((x − Mean) · Basis) / Scale, with Basis [D, D] orthonormal (a permutation when standardizing)
/// and Scale [D]. Components with no spread keep a unit scale so they pass through.
/// </summary>
public sealed record Whitening(Tensor Mean, Tensor Basis, Tensor Scale)
{
    const double MinimumScale = 1e-8;

    /// <summary>Fits the map to frames [N, D] (population statistics).</summary>
    public static Whitening Fit(Tensor frames, WhiteningKind kind)
    {
        using var scope = NewDisposeScope();
        var mean = frames.mean([0]);
        var centred = (frames - mean).to_type(ScalarType.Float64);
        Tensor basis, variance;
        if (kind == WhiteningKind.Pca)
        {
            var (values, vectors) = linalg.eigh(centred.t().mm(centred) / frames.shape[0]);
            // eigh sorts ascending; flipping gives the largest-variance components first.
            variance = values.flip(0).clamp_min(0);
            basis = vectors.flip(1);
        }
        else
        {
            var (sorted, order) = centred.square().mean([0]).sort(descending: true);
            variance = sorted;
            basis = eye(frames.shape[1], dtype: ScalarType.Float64).index_select(1, order);
        }
        var scale = variance.sqrt();
        scale = where(scale > MinimumScale, scale, ones_like(scale));
        return new Whitening(
            mean.DetachFromDisposeScope(),
            basis.to_type(ScalarType.Float32).contiguous().DetachFromDisposeScope(),
            scale.to_type(ScalarType.Float32).DetachFromDisposeScope());
    }

    /// <summary>Frames [N, D] → components [N, D].</summary>
    public Tensor Apply(Tensor frames) => (frames - Mean).mm(Basis) / Scale;

    /// <summary>Components [N, D] → frames [N, D].</summary>
    public Tensor Invert(Tensor components) => (components * Scale).mm(Basis.t()) + Mean;

    /// <summary>Checks saved tensors against dimension D.</summary>
    public void Validate(int dimension)
    {
        if (!Mean.shape.SequenceEqual([dimension]) || !Scale.shape.SequenceEqual([dimension]) || !Basis.shape.SequenceEqual([dimension, dimension]))
            throw new InvalidDataException($"the whitening must be mean [{dimension}], basis [{dimension}, {dimension}] and scale [{dimension}]");
        if (Mean.dtype != ScalarType.Float32 || Basis.dtype != ScalarType.Float32 || Scale.dtype != ScalarType.Float32)
            throw new InvalidDataException("the whitening tensors must be float32");
    }
}
