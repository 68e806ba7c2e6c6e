using PostRvq.Audio;
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Codecs;

/// <summary>
/// How long inputs are cut for inference. Each chunk is encoded with <see cref="ContextSeconds"/> of real audio
/// on both sides, and chunk starts fall on frame boundaries, so the joined output equals whole-clip processing
/// up to float rounding, with no seams, as long as the context covers the model's receptive field.
/// </summary>
public sealed record ChunkingOptions
{
    /// <summary>
    /// The longest chunk, an hour: memory grows with the chunk, and at any sample rate up to 596 kHz its samples
    /// still fit an int.
    /// </summary>
    public const double MaxChunkSeconds = 3600;

    /// <summary>The longest context, a minute: far beyond any model's receptive field.</summary>
    public const double MaxContextSeconds = 60;

    public double ChunkSeconds { get; init; } = 10.0;
    public double ContextSeconds { get; init; } = 0.5;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field unless both lengths are in range.</summary>
    public void Validate()
    {
        if (!(ChunkSeconds > 0 && ChunkSeconds <= MaxChunkSeconds))
            throw new ArgumentException($"ChunkSeconds must be more than 0 and at most {MaxChunkSeconds} s, not {ChunkSeconds}");
        if (!(ContextSeconds >= 0 && ContextSeconds <= MaxContextSeconds))
            throw new ArgumentException($"ContextSeconds must be at least 0 and at most {MaxContextSeconds} s, not {ContextSeconds}");
    }
}

/// <summary>Passes audio through a continuous autoencoder: Decode(Encode(x)).</summary>
public static class Reconstruction
{
    /// <summary>
    /// Reconstructs <paramref name="clip"/>, which must be at the model's sample rate. The output has the
    /// input's length.
    /// </summary>
    public static AudioClip Run(Autoencoder model, AudioClip clip, ChunkingOptions? chunking = null, Device? device = null)
    {
        var options = model.Options;
        if (clip.SampleRate != options.SampleRate)
            throw new ArgumentException($"The clip is at {clip.SampleRate} Hz but the model expects {options.SampleRate} Hz; resample it first.", nameof(clip));
        chunking ??= new ChunkingOptions();
        chunking.Validate();
        if (clip.Length == 0) return clip;
        device ??= CPU;
        var hop = options.HopLength;
        var chunk = RoundUpToHop(chunking.ChunkSeconds * clip.SampleRate, hop);
        var context = RoundUpToHop(chunking.ContextSeconds * clip.SampleRate, hop);
        var output = new float[clip.Length];
        model.eval();
        using var noGrad = no_grad();
        // Positions in long: a chunk and its context past the end of a long clip must not wrap around.
        for (long start = 0; start < clip.Length; start += chunk)
        {
            using var scope = NewDisposeScope();
            var from = (int)Math.Max(0, start - context);
            var to = (int)Math.Min(clip.Length, start + chunk + context);
            var take = (int)Math.Min(chunk, clip.Length - start);
            using var input = AudioTensors.ToBatch(clip.SliceSamples(from, to - from)).to(device);
            var reconstructed = model.forward(input).cpu().reshape(-1);
            var samples = reconstructed.narrow(0, start - from, take).data<float>().ToArray();
            Array.Copy(samples, 0, output, (int)start, take);
        }
        return new AudioClip(output, clip.SampleRate);
    }

    /// <summary>Samples rounded up to whole hops (at least one), checked against int before the cast.</summary>
    static int RoundUpToHop(double samples, int hop)
    {
        var rounded = Math.Max(hop, Math.Ceiling(samples / hop) * hop);
        if (!(rounded <= int.MaxValue))
            throw new ArgumentException($"A chunk of {samples} samples is more than one pass can hold; use shorter chunks.");
        return (int)rounded;
    }
}
