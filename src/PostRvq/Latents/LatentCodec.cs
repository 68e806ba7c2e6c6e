using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Latents;

/// <summary>
/// Encodes a clip to latents and decodes latents to audio through a frozen model, chunk by chunk with context on
/// both sides (as <see cref="Reconstruction"/> does), so long clips fit in memory and the result equals whole-clip
/// processing up to float rounding. Runs in eval mode without gradients on the model's device.
/// </summary>
public static class LatentCodec
{
    /// <summary>A clip at the model's sample rate → z [1, D, ⌈T / hop⌉] float32 on the CPU.</summary>
    public static Tensor Encode(Autoencoder model, AudioClip clip, ChunkingOptions? chunking = null)
    {
        var options = model.Options;
        if (clip.SampleRate != options.SampleRate)
            throw new ArgumentException($"The clip is at {clip.SampleRate} Hz but the model expects {options.SampleRate} Hz; resample it first.", nameof(clip));
        var hop = options.HopLength;
        var frames = (clip.Length + hop - 1) / hop;
        var (chunk, context) = FramesOf(chunking ?? new ChunkingOptions(), options);
        var device = DeviceOf(model);
        var output = zeros(1, options.LatentDim, frames);
        model.eval();
        using var noGrad = no_grad();
        for (var start = 0; start < frames; start += chunk)
        {
            using var scope = NewDisposeScope();
            var from = Math.Max(0, start - context);
            var to = Math.Min(frames, start + chunk + context);
            var fromSample = from * hop;
            var toSample = Math.Min(clip.Length, to * hop);
            var input = AudioTensors.ToBatch(clip.SliceSamples(fromSample, toSample - fromSample)).to(device);
            var z = model.Encode(input).cpu();
            var take = Math.Min(chunk, frames - start);
            output.narrow(2, start, take).copy_(z.narrow(2, start - from, take));
        }
        return output;
    }

    /// <summary>z [1, D, F] → a clip of <paramref name="length"/> samples (at most F·hop) at the model's sample rate.</summary>
    public static AudioClip Decode(Autoencoder model, Tensor z, int length, ChunkingOptions? chunking = null)
    {
        var options = model.Options;
        if (z.dim() != 3 || z.shape[0] != 1 || z.shape[1] != options.LatentDim)
            throw new ArgumentException($"Expected latents [1, {options.LatentDim}, F], got [{string.Join(", ", z.shape)}].", nameof(z));
        var hop = options.HopLength;
        var frames = (int)z.shape[2];
        if (length < 0 || length > (long)frames * hop)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"{frames} frames decode to at most {(long)frames * hop} samples.");
        var (chunk, context) = FramesOf(chunking ?? new ChunkingOptions(), options);
        var device = DeviceOf(model);
        var samples = new float[length];
        model.eval();
        using var noGrad = no_grad();
        for (var start = 0; start < frames && start * hop < length; start += chunk)
        {
            using var scope = NewDisposeScope();
            var from = Math.Max(0, start - context);
            var to = Math.Min(frames, start + chunk + context);
            var audio = model.Decode(z.narrow(2, from, to - from).to(ScalarType.Float32).to(device)).cpu().reshape(-1);
            var take = Math.Min(chunk * hop, length - start * hop);
            Array.Copy(audio.narrow(0, (start - from) * hop, take).data<float>().ToArray(), 0, samples, start * hop, take);
        }
        return new AudioClip(samples, options.SampleRate);
    }

    /// <summary>Chunk and context in whole frames (a chunk of at least one), range-checked before the casts to int.</summary>
    static (int Chunk, int Context) FramesOf(ChunkingOptions chunking, AutoencoderOptions options)
    {
        chunking.Validate();
        var chunk = Math.Max(1, Math.Ceiling(chunking.ChunkSeconds * options.FrameRate));
        var context = Math.Ceiling(chunking.ContextSeconds * options.FrameRate);
        // Each chunk's frames become samples (× hop) in one int-indexed buffer.
        if ((chunk + 2 * context) * options.HopLength > int.MaxValue)
            throw new ArgumentException($"A chunk of {chunking.ChunkSeconds} s with {chunking.ContextSeconds} s of context is more samples than one pass can hold; use shorter chunks.");
        return ((int)chunk, (int)context);
    }

    static Device DeviceOf(Autoencoder model) => model.parameters().FirstOrDefault()?.device ?? CPU;
}
