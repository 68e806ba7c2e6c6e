using PostRvq.Audio;
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Codecs;

/// <summary>
/// Encodes audio to latents and decodes latents to audio in chunks, so that a long file never needs whole-clip
/// activations. As in <see cref="Reconstruction"/>, each chunk starts on a frame boundary and is processed with
/// <see cref="ChunkingOptions.ContextSeconds"/> of real neighbours on both sides, so the joined result equals
/// whole-clip processing up to float rounding; a clip shorter than one chunk is processed whole. Call under no_grad.
/// </summary>
static class ChunkedInference
{
    /// <summary>Audio at the model's rate → latents z [1, D, ⌈length / hop⌉] on the CPU.</summary>
    public static Tensor Encode(Autoencoder model, AudioClip clip, ChunkingOptions chunking)
    {
        model.eval();
        var hop = model.Options.HopLength;
        var (chunkFrames, contextFrames) = FramesOf(chunking, model.Options);
        var (chunk, context) = (chunkFrames * hop, contextFrames * hop);
        var parts = new List<Tensor>();
        for (var start = 0; start < clip.Length; start += chunk)
        {
            var from = Math.Max(0, start - context);
            var to = (int)Math.Min(clip.Length, (long)start + chunk + context);
            var frames = (Math.Min(chunk, clip.Length - start) + hop - 1) / hop;
            using var input = AudioTensors.ToBatch(clip.SliceSamples(from, to - from));
            using var latents = model.Encode(input);
            parts.Add(latents.narrow(2, (start - from) / hop, frames).cpu());
        }
        if (parts.Count == 0) return zeros(1, model.Options.LatentDim, 0);
        return parts.Count == 1 ? parts[0] : cat(parts, 2);
    }

    /// <summary>Latents [1, D, F] → the first <paramref name="length"/> (at most F·hop) samples of their decoding.</summary>
    public static AudioClip Decode(Autoencoder model, Tensor latents, int length, ChunkingOptions chunking)
    {
        model.eval();
        var hop = model.Options.HopLength;
        var frames = latents.shape[2];
        if (length > frames * hop)
            throw new ArgumentException($"{frames} latent frames decode to {frames * hop} samples, fewer than the {length} asked for.", nameof(length));
        var (chunkFrames, contextFrames) = FramesOf(chunking, model.Options);
        var output = new float[length];
        for (long start = 0; start * hop < length; start += chunkFrames)
        {
            using var scope = NewDisposeScope();
            var from = Math.Max(0, start - contextFrames);
            var to = Math.Min(frames, start + chunkFrames + contextFrames);
            var audio = model.Decode(latents.narrow(2, from, to - from)).reshape(-1).cpu();
            var take = (int)Math.Min((long)chunkFrames * hop, length - start * hop);
            var samples = audio.narrow(0, (start - from) * hop, take).data<float>().ToArray();
            Array.Copy(samples, 0, output, start * hop, take);
        }
        return new AudioClip(output, model.Options.SampleRate);
    }

    /// <summary>Chunk and context lengths rounded up to whole frames (at least one frame each).</summary>
    static (int Chunk, int Context) FramesOf(ChunkingOptions chunking, AutoencoderOptions options)
    {
        if (!(chunking.ChunkSeconds > 0) || !(chunking.ContextSeconds >= 0))
            throw new ArgumentException($"Chunks must be positive and context non-negative, got {chunking.ChunkSeconds} s and {chunking.ContextSeconds} s.", nameof(chunking));
        return (Math.Max(1, (int)Math.Ceiling(chunking.ChunkSeconds * options.FrameRate)),
            Math.Max(1, (int)Math.Ceiling(chunking.ContextSeconds * options.FrameRate)));
    }
}
