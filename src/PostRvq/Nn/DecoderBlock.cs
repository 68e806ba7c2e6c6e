// DAC's decoder block (Kumar et al. 2023): Snake, a transposed conv that upsamples and halves the width, then residual units.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Upsampling block [B, C, L] → [B, C/2, L·stride]. The transposed conv has kernel 2·s and padding ⌈s/2⌉, giving
/// L·s + s − 2⌈s/2⌉ samples; an output padding of s mod 2 makes that exactly L·s for odd strides too.
/// </summary>
public sealed class DecoderBlock : nn.Module<Tensor, Tensor>
{
    readonly Sequential block;

    public DecoderBlock(long inChannels, long outChannels, int stride, IReadOnlyList<int> dilations, int residualKernel) : base(nameof(DecoderBlock))
    {
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            new Snake(inChannels),
            new WeightNormConvTranspose1d(inChannels, outChannels, kernelSize: 2 * stride, stride: stride, padding: (stride + 1) / 2, outputPadding: stride % 2),
        };
        layers.AddRange(dilations.Select(d => new ResidualUnit(outChannels, d, residualKernel)));
        block = nn.Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => block.call(input);
}
