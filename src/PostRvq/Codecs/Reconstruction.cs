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
    public double ChunkSeconds { get; init; } = 10.0;
    public double ContextSeconds { get; init; } = 0.5;
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
        if (clip.Length == 0) return clip;
        chunking ??= new ChunkingOptions();
        device ??= CPU;
        var hop = options.HopLength;
        var chunk = RoundUpToHop(chunking.ChunkSeconds * clip.SampleRate, hop);
        var context = RoundUpToHop(chunking.ContextSeconds * clip.SampleRate, hop);
        var output = new float[clip.Length];
        model.eval();
        using var noGrad = no_grad();
        for (var start = 0; start < clip.Length; start += chunk)
        {
            using var scope = NewDisposeScope();
            var from = Math.Max(0, start - context);
            var to = Math.Min(clip.Length, start + chunk + context);
            var take = Math.Min(chunk, clip.Length - start);
            using var input = AudioTensors.ToBatch(clip.SliceSamples(from, to - from)).to(device);
            var reconstructed = model.forward(input).cpu().reshape(-1);
            var samples = reconstructed.narrow(0, start - from, take).data<float>().ToArray();
            Array.Copy(samples, 0, output, start, take);
        }
        return new AudioClip(output, clip.SampleRate);
    }

    static int RoundUpToHop(double samples, int hop) => Math.Max(hop, (int)Math.Ceiling(samples / hop) * hop);
}
