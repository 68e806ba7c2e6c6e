using PostRvq.Audio;
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Latents;

/// <summary>
/// Encodes a clip to latents and decodes latents to audio through a frozen model, chunk by chunk with context on
/// both sides (<see cref="ChunkedPass"/>), so long clips fit in memory and the result equals whole-clip processing
/// up to float rounding.
/// </summary>
public static class LatentCodec
{
    /// <summary>A clip at the model's sample rate → z [1, D, ⌈T / hop⌉] float32 on the CPU.</summary>
    public static Tensor Encode(Autoencoder model, AudioClip clip, ChunkingOptions? chunking = null)
    {
        var options = model.Options;
        RequireRate(options, clip);
        var hop = options.HopLength;
        var output = zeros(1, options.LatentDim, FramesOf(clip, hop));
        ChunkedPass.Run(model, output.shape[2], chunking, (window, device) =>
        {
            var z = model.Encode(ChunkedPass.AudioOf(clip, window, hop, device)).cpu();
            output.narrow(2, window.Start, window.Take).copy_(z.narrow(2, window.Start - window.From, window.Take));
        });
        return output;
    }

    /// <summary>z [1, D, F] → a clip of <paramref name="length"/> samples (at most F·hop) at the model's sample rate.</summary>
    public static AudioClip Decode(Autoencoder model, Tensor z, int length, ChunkingOptions? chunking = null)
    {
        var options = model.Options;
        if (z.dim() != 3 || z.shape[0] != 1 || z.shape[1] != options.LatentDim)
            throw new ArgumentException($"Expected latents [1, {options.LatentDim}, F], got [{string.Join(", ", z.shape)}].", nameof(z));
        var hop = options.HopLength;
        var frames = z.shape[2];
        if (length < 0 || length > frames * hop)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"{frames} frames decode to at most {frames * hop} samples.");
        var samples = new float[length];
        ChunkedPass.Run(model, frames, chunking, (window, device) =>
        {
            var audio = model.Decode(z.narrow(2, window.From, window.To - window.From).to(ScalarType.Float32).to(device));
            ChunkedPass.CopyOwnSamples(audio, window, hop, samples);
        }, needed: (length + hop - 1) / hop);
        return new AudioClip(samples, options.SampleRate);
    }

    /// <summary>Latent frames of a clip: ⌈T / hop⌉.</summary>
    public static long FramesOf(AudioClip clip, int hop) => ((long)clip.Length + hop - 1) / hop;

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="clip"/> is at the model's sample rate.</summary>
    public static void RequireRate(AutoencoderOptions options, AudioClip clip)
    {
        if (clip.SampleRate != options.SampleRate)
            throw new ArgumentException($"The clip is at {clip.SampleRate} Hz but the model expects {options.SampleRate} Hz; resample it first.", nameof(clip));
    }
}
