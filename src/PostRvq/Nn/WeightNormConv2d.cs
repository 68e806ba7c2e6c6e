// Weight-normalised Conv2d for the HiFi-GAN (Kong et al. 2020) and DAC discriminators; parameters named as PyTorch's weight_norm.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Conv2d whose weight [out, in, kh, kw] is g · v / ‖v‖ with one g per output channel.
/// Input [B, in, H, W] → output [B, out, H', W'] by the usual conv arithmetic per axis.
/// </summary>
public sealed class WeightNormConv2d : nn.Module<Tensor, Tensor>, IZeroFilterPaddable
{
    readonly Parameter weight_g;
    readonly Parameter weight_v;
    readonly Parameter bias;
    readonly long[] stride;
    readonly long[] padding;
    long runOutChannels;

    public WeightNormConv2d(long inChannels, long outChannels, (long H, long W) kernelSize, (long H, long W) stride, (long H, long W) padding)
        : base(nameof(WeightNormConv2d))
    {
        var (v, b) = WeightNorm.DefaultInit([outChannels, inChannels, kernelSize.H, kernelSize.W], outChannels);
        // g starts at ‖v‖ so the initial weight equals v; take it before Parameter adopts v's handle.
        weight_g = new Parameter(WeightNorm.NormExceptDim0(v));
        weight_v = new Parameter(v);
        bias = new Parameter(b);
        this.stride = [stride.H, stride.W];
        this.padding = [padding.H, padding.W];
        runOutChannels = outChannels;
        RegisterComponents();
    }

    /// <summary>The effective weight [out, in, kh, kw].</summary>
    public Tensor Weight() => WeightNorm.Weight(weight_g, weight_v);

    /// <summary>Channels, kernel, stride and padding, as the FLOP count and the oneDNN check see them.</summary>
    public ConvConfiguration Configuration =>
        new(false, weight_v.shape[1], weight_v.shape[0], 1, [weight_v.shape[2], weight_v.shape[3]], stride, padding, [1, 1], [0, 0]);

    /// <inheritdoc/>
    public long RunOutChannels
    {
        get => runOutChannels;
        set => runOutChannels = ZeroFilterPadding.Validate(value, weight_v.shape[0]);
    }

    public override Tensor forward(Tensor input)
    {
        using var weight = Weight();
        return ZeroFilterPadding.Run(input, weight, bias, runOutChannels, (w, b) => nn.functional.conv2d(input, w, b, stride, padding));
    }
}
