// The continuous autoencoder trained before post-training quantization: DAC's (Kumar et al. 2023) with the quantizer
// removed, or the frame-rate MDCT family; AutoencoderOptions.Kind picks one.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Encoder and decoder around a continuous bottleneck. Audio [B, 1, T] of any length T ≥ 1 is zero-padded on the right
/// to a multiple of the hop, encoded to z [B, LatentDim, ⌈T / hop⌉], decoded, and trimmed back to T.
/// </summary>
public sealed class Autoencoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> encoder;
    readonly nn.Module<Tensor, Tensor> decoder;

    Autoencoder(AutoencoderOptions options) : base(nameof(Autoencoder))
    {
        Options = options;
        (encoder, decoder) = options.Kind == ModelKinds.Mdct
            ? (new MdctEncoder(options), new MdctDecoder(options))
            : ((nn.Module<Tensor, Tensor>)new Encoder(options), (nn.Module<Tensor, Tensor>)new Decoder(options));
        RegisterComponents();
    }

    /// <summary>The encoder of an <c>mdct</c> model, whose linear path and bin scales <see cref="MdctLinearInit"/> sets; null otherwise.</summary>
    public MdctEncoder? MdctEncoder => encoder as MdctEncoder;

    /// <summary>The decoder of an <c>mdct</c> model; null otherwise.</summary>
    public MdctDecoder? MdctDecoder => decoder as MdctDecoder;

    public AutoencoderOptions Options { get; }

    /// <summary>Number of trainable scalars.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Validates the options and builds a freshly initialised model on the CPU.</summary>
    public static Autoencoder Create(AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var model = new Autoencoder(options);
        foreach (var conv in model.modules().OfType<WeightNormConv1d>())
            conv.ResetNormal(options.ConvInitStd);
        return model;
    }

    /// <summary>Audio [B, 1, T] → z [B, LatentDim, ⌈T / hop⌉]; the input is zero-padded on the right to a whole frame.</summary>
    public Tensor Encode(Tensor audio)
    {
        var length = audio.shape[^1];
        var hop = Options.HopLength;
        var padding = (hop - length % hop) % hop;
        if (padding == 0) return encoder.call(audio);
        using var padded = nn.functional.pad(audio, [0, padding]);
        return encoder.call(padded);
    }

    /// <summary>z [B, LatentDim, F] → audio [B, 1, F·hop].</summary>
    public Tensor Decode(Tensor latent) => decoder.call(latent);

    /// <summary>Audio [B, 1, T] → reconstruction [B, 1, T].</summary>
    public override Tensor forward(Tensor audio)
    {
        using var scope = NewDisposeScope();
        var decoded = Decode(Encode(audio));
        return decoded.narrow(-1, 0, audio.shape[^1]).MoveToOuterDisposeScope();
    }
}
