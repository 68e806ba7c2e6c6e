// DAC's dilated residual unit (Kumar et al. 2023): Snake → dilated conv → Snake → 1×1 conv, plus the input.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Residual unit on [B, C, T] → [B, C, T]. The dilated conv pads (k − 1)·d / 2 on each side, which keeps the length
/// exact for the odd kernels <see cref="AutoencoderOptions.Validate"/> allows, so the residual never needs cropping.
/// </summary>
public sealed class ResidualUnit : nn.Module<Tensor, Tensor>
{
    readonly Sequential block;

    public ResidualUnit(long channels, int dilation, int kernelSize = 7) : base(nameof(ResidualUnit))
    {
        block = nn.Sequential(
            new Snake(channels),
            new WeightNormConv1d(channels, channels, kernelSize, dilation: dilation, padding: (kernelSize - 1) * dilation / 2),
            new Snake(channels),
            new WeightNormConv1d(channels, channels, kernelSize: 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var residual = block.call(input);
        return input + residual;
    }
}
