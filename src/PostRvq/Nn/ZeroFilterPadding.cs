// LibTorch 2.10's oneDNN returns wrong or NaN input gradients, on some runs, for some convolutions with fewer than 16
// output channels (OneDnnExactnessTests); the same layer run with zero filters up to 16 outputs gets them right.
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// A plain convolution that can run with extra all-zero filters whose outputs are dropped. The extra outputs are zero
/// and get no gradient, so output, input gradient and weight gradient are those of the layer itself; only the kernel
/// LibTorch picks changes. Only the input gradient was ever wrong, so a layer whose input takes no gradient (the first
/// layer of a discriminator judging detached audio) runs as it is. <see cref="Training.CpuConvolutions"/> raises
/// <see cref="RunOutChannels"/> of every narrow layer of a trainer that runs on oneDNN.
/// </summary>
public interface IZeroFilterPaddable
{
    /// <summary>The layer's shape as trained and saved.</summary>
    ConvConfiguration Configuration { get; }

    /// <summary>Output channels the convolution runs with when its input takes a gradient: the layer's own, or more with zero filters.</summary>
    long RunOutChannels { get; set; }
}

/// <summary>The arithmetic shared by the paddable layers.</summary>
static class ZeroFilterPadding
{
    /// <summary>
    /// Runs <paramref name="convolution"/> of <paramref name="input"/> on weight [out, in, k...] and bias [out] padded with
    /// zero filters to <paramref name="runOutChannels"/>, and keeps the first out channels of its output
    /// [B, run, ...] → [B, out, ...]; without padding when no input gradient will be taken.
    /// </summary>
    public static Tensor Run(Tensor input, Tensor weight, Tensor bias, long runOutChannels, Func<Tensor, Tensor, Tensor> convolution)
    {
        var outChannels = weight.shape[0];
        // The padding only ever mended input gradients; forward outputs and weight gradients were exact without it.
        var inputTakesGradient = input.requires_grad && is_grad_enabled();
        if (runOutChannels <= outChannels || !inputTakesGradient) return convolution(weight, bias);
        using var scope = NewDisposeScope();
        var extra = runOutChannels - outChannels;
        var paddedWeight = cat([weight, zeros([extra, .. weight.shape[1..]], weight.dtype, weight.device)]);
        var paddedBias = cat([bias, zeros([extra], bias.dtype, bias.device)]);
        return convolution(paddedWeight, paddedBias).narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }

    /// <summary>Throws unless <paramref name="value"/> is at least the layer's <paramref name="outChannels"/>.</summary>
    public static long Validate(long value, long outChannels) => value >= outChannels
        ? value
        : throw new ArgumentOutOfRangeException(nameof(IZeroFilterPaddable.RunOutChannels), value,
            $"A layer with {outChannels} output channels cannot run with fewer.");
}
