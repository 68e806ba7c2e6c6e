// DAC's convolutional encoder (Kumar et al. 2023), ending in a continuous latent instead of a quantizer.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Audio [B, 1, T] with T a multiple of the hop → latent [B, LatentDim, T / hop]. The width starts at EncoderDim and
/// doubles at every block; a Snake and a k=3 conv project to the latent.
/// </summary>
public sealed class Encoder : nn.Module<Tensor, Tensor>
{
    readonly Sequential block;

    public Encoder(AutoencoderOptions options) : base(nameof(Encoder))
    {
        long width = options.EncoderDim;
        var layers = new List<nn.Module<Tensor, Tensor>> { new WeightNormConv1d(1, width, kernelSize: 7, padding: 3) };
        foreach (var stride in options.EncoderStrides)
        {
            layers.Add(new EncoderBlock(width, stride, options.Dilations, options.ResidualKernel));
            width *= 2;
        }
        layers.Add(new Snake(width));
        layers.Add(new WeightNormConv1d(width, options.LatentDim, kernelSize: 3, padding: 1));
        block = nn.Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor audio) => block.call(audio);
}
