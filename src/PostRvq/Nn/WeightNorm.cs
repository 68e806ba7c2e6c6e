// Weight normalisation (Salimans & Kingma 2016): weight = g · v / ‖v‖, as PyTorch's weight_norm with dim 0.
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>Shared arithmetic of the weight-normalised layers, with the norm over every dim except dim 0.</summary>
static class WeightNorm
{
    /// <summary>‖v‖ per slice of dim 0, shaped [C0, 1, ..., 1] like PyTorch's weight_g.</summary>
    public static Tensor NormExceptDim0(Tensor v)
    {
        var dims = Enumerable.Range(1, (int)v.dim() - 1).Select(d => (long)d).ToArray();
        return v.square().sum(dims, keepdim: true).sqrt();
    }

    /// <summary>The effective weight g · v / ‖v‖.</summary>
    public static Tensor Weight(Tensor g, Tensor v)
    {
        using var scope = NewDisposeScope();
        return (v * (g / NormExceptDim0(v))).MoveToOuterDisposeScope();
    }

    /// <summary>PyTorch's default conv init: uniform(±1/√fan_in) for v and bias, where fan_in = shape[1]·kernel.</summary>
    public static (Tensor V, Tensor Bias) DefaultInit(long[] weightShape, long biasLength)
    {
        var fanIn = weightShape.Skip(1).Aggregate(1L, (product, size) => product * size);
        var bound = 1.0 / Math.Sqrt(fanIn);
        var v = empty(weightShape);
        nn.init.uniform_(v, -bound, bound);
        var bias = empty(biasLength);
        nn.init.uniform_(bias, -bound, bound);
        return (v, bias);
    }
}
