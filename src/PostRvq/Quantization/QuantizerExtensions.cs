using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>Latent-dataset views of any <see cref="IQuantizer"/>: frames [N, D] instead of channel-first [B, D, T].</summary>
public static class QuantizerExtensions
{
    /// <summary>Frames [N, D] → codes [N, nq] int64.</summary>
    public static Tensor EncodeFrames(this IQuantizer quantizer, Tensor frames)
    {
        using var scope = NewDisposeScope();
        return quantizer.Encode(frames.t().unsqueeze(0)).squeeze(0).t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Codes [N, nq] int64 → frames [N, D].</summary>
    public static Tensor DecodeFrames(this IQuantizer quantizer, Tensor codes)
    {
        using var scope = NewDisposeScope();
        return quantizer.Decode(codes.t().unsqueeze(0)).squeeze(0).t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Frames [N, D] → quantized frames [N, D] and codes [N, nq].</summary>
    public static QuantizerOutput QuantizeFrames(this IQuantizer quantizer, Tensor frames)
    {
        using var scope = NewDisposeScope();
        var output = quantizer.Quantize(frames.t().unsqueeze(0));
        return new QuantizerOutput(
            output.Quantized.squeeze(0).t().contiguous().MoveToOuterDisposeScope(),
            output.Codes.squeeze(0).t().contiguous().MoveToOuterDisposeScope());
    }

    /// <summary>Exact fixed-length kbps of this quantizer at <paramref name="frameRate"/> frames per second.</summary>
    public static double Kbps(this IQuantizer quantizer, double frameRate) =>
        Metrics.Bitrate.KbpsFromBits(quantizer.BitsPerFrame, frameRate);
}
