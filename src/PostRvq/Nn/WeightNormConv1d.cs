// Weight-normalised Conv1d as used throughout DAC (Kumar et al. 2023); parameters named as PyTorch's weight_norm.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Conv1d whose weight [out, in, k] is g · v / ‖v‖ with one g per output channel, recomputed on every forward.
/// Input [B, in, L] → output [B, out, floor((L + 2·padding − dilation·(k − 1) − 1) / stride) + 1].
/// </summary>
public sealed class WeightNormConv1d : nn.Module<Tensor, Tensor>, IZeroFilterPaddable
{
    readonly Parameter weight_g;
    readonly Parameter weight_v;
    readonly Parameter bias;
    readonly long stride;
    readonly long padding;
    readonly long dilation;
    long runOutChannels;

    public WeightNormConv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1)
        : base(nameof(WeightNormConv1d))
    {
        var (v, b) = WeightNorm.DefaultInit([outChannels, inChannels, kernelSize], outChannels);
        // g starts at ‖v‖ so the initial weight equals v; take it before Parameter adopts v's handle.
        weight_g = new Parameter(WeightNorm.NormExceptDim0(v));
        weight_v = new Parameter(v);
        bias = new Parameter(b);
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        runOutChannels = outChannels;
        RegisterComponents();
    }

    /// <summary>The effective weight [out, in, k].</summary>
    public Tensor Weight() => WeightNorm.Weight(weight_g, weight_v);

    /// <summary>Channels, kernel, stride, padding and dilation, as the FLOP count and the oneDNN check see them.</summary>
    public ConvConfiguration Configuration =>
        ConvConfiguration.OneDimensional(false, weight_v.shape[1], weight_v.shape[0], weight_v.shape[2], stride, padding, dilation);

    /// <summary>DAC's init: v ~ N(0, std²), zero bias, and g = ‖v‖ so the weight equals v.</summary>
    public void ResetNormal(double std)
    {
        using var noGrad = no_grad();
        // DAC truncates at ±2, which for its std of 0.02 is 100σ away, so a plain normal is the same draw in practice;
        // TorchSharp 0.107's trunc_normal_ also fills the tensor with a constant instead of sampling.
        nn.init.normal_(weight_v, mean: 0, std: std);
        using var norm = WeightNorm.NormExceptDim0(weight_v);
        weight_g.copy_(norm);
        bias.zero_();
    }

    /// <inheritdoc/>
    public long RunOutChannels
    {
        get => runOutChannels;
        set => runOutChannels = ZeroFilterPadding.Validate(value, weight_v.shape[0]);
    }

    public override Tensor forward(Tensor input)
    {
        using var weight = Weight();
        return ZeroFilterPadding.Run(input, weight, bias, runOutChannels, (w, b) => nn.functional.conv1d(input, w, b, stride, padding, dilation));
    }
}
