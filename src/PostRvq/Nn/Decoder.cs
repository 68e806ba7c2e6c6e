// DAC's convolutional decoder (Kumar et al. 2023), fed directly with continuous latents.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Latent [B, LatentDim, F] → audio [B, 1, F·hop] in [−1, 1]. A k=7 conv lifts to DecoderDim, every block halves the
/// width, and Snake → k=7 conv → tanh produce the waveform.
/// </summary>
public sealed class Decoder : nn.Module<Tensor, Tensor>
{
    readonly Sequential model;

    public Decoder(AutoencoderOptions options) : base(nameof(Decoder))
    {
        long width = options.DecoderDim;
        var layers = new List<nn.Module<Tensor, Tensor>> { new WeightNormConv1d(options.LatentDim, width, kernelSize: 7, padding: 3) };
        foreach (var stride in options.DecoderStrides)
        {
            layers.Add(new DecoderBlock(width, width / 2, stride, options.Dilations, options.ResidualKernel));
            width /= 2;
        }
        layers.Add(new Snake(width));
        layers.Add(new WeightNormConv1d(width, 1, kernelSize: 7, padding: 3));
        layers.Add(nn.Tanh());
        model = nn.Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor latent) => model.call(latent);
}
