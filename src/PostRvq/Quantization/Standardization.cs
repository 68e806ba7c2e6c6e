using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Per-dimension z-scoring with statistics of a fit set: Mean [D] and Std [D]. Dimensions with no spread keep
/// a unit scale, so constant latent channels pass through instead of dividing by zero.
/// </summary>
public sealed record Standardization(Tensor Mean, Tensor Std)
{
    const double MinimumStd = 1e-8;

    /// <summary>Statistics of frames [N, D] (population std).</summary>
    public static Standardization Fit(Tensor frames)
    {
        using var scope = NewDisposeScope();
        var mean = frames.mean([0]);
        var std = frames.std(0, unbiased: false);
        std = where(std > MinimumStd, std, ones_like(std));
        return new Standardization(mean.DetachFromDisposeScope(), std.DetachFromDisposeScope());
    }

    /// <summary>(x − mean) / std for frames [N, D].</summary>
    public Tensor Apply(Tensor frames) => (frames - Mean) / Std;

    /// <summary>x · std + mean for frames [N, D].</summary>
    public Tensor Invert(Tensor frames) => frames * Std + Mean;
}
