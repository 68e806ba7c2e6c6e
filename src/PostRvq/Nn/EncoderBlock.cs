// DAC's encoder block (Kumar et al. 2023): residual units, Snake, then a strided conv that doubles the width.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Downsampling block [B, C, L] → [B, 2C, L / stride] for L a multiple of stride. The strided conv has kernel 2·s and
/// padding ⌈s/2⌉, which maps L = m·s to exactly m for every s ≥ 2.
/// </summary>
public sealed class EncoderBlock : nn.Module<Tensor, Tensor>
{
    readonly Sequential block;

    public EncoderBlock(long inChannels, int stride, IReadOnlyList<int> dilations, int residualKernel) : base(nameof(EncoderBlock))
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        layers.AddRange(dilations.Select(d => new ResidualUnit(inChannels, d, residualKernel)));
        layers.Add(new Snake(inChannels));
        layers.Add(new WeightNormConv1d(inChannels, 2 * inChannels, kernelSize: 2 * stride, stride: stride, padding: (stride + 1) / 2));
        block = nn.Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => block.call(input);
}
