// Weight-normalised ConvTranspose1d as used in DAC's decoder (Kumar et al. 2023); parameters named as PyTorch's weight_norm.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// ConvTranspose1d whose weight [in, out, k] is g · v / ‖v‖. As PyTorch's weight_norm (dim 0) does for transposed
/// convs, g has one entry per slice of the weight's leading dim, i.e. per input channel, so DAC state dicts map.
/// Input [B, in, L] → output [B, out, (L − 1)·stride − 2·padding + k + outputPadding].
/// </summary>
public sealed class WeightNormConvTranspose1d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight_g;
    readonly Parameter weight_v;
    readonly Parameter bias;
    readonly long stride;
    readonly long padding;
    readonly long outputPadding;

    public WeightNormConvTranspose1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long outputPadding = 0)
        : base(nameof(WeightNormConvTranspose1d))
    {
        var (v, b) = WeightNorm.DefaultInit([inChannels, outChannels, kernelSize], outChannels);
        // g starts at ‖v‖ so the initial weight equals v; take it before Parameter adopts v's handle.
        weight_g = new Parameter(WeightNorm.NormExceptDim0(v));
        weight_v = new Parameter(v);
        bias = new Parameter(b);
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
        RegisterComponents();
    }

    /// <summary>The effective weight [in, out, k].</summary>
    public Tensor Weight() => WeightNorm.Weight(weight_g, weight_v);

    /// <summary>Channels, kernel, stride and paddings, as the FLOP count and the oneDNN check see them.</summary>
    public ConvConfiguration Configuration =>
        ConvConfiguration.OneDimensional(true, weight_v.shape[0], weight_v.shape[1], weight_v.shape[2], stride, padding, outputPadding: outputPadding);

    public override Tensor forward(Tensor input)
    {
        using var weight = Weight();
        return nn.functional.conv_transpose1d(input, weight, bias, stride, padding, outputPadding);
    }
}
