using PostRvq.Audio;
using PostRvq.Latents;
using PostRvq.Nn;

namespace PostRvq.Codecs;

/// <summary>Passes audio through a continuous autoencoder: Decode(Encode(x)).</summary>
public static class Reconstruction
{
    /// <summary>
    /// Reconstructs <paramref name="clip"/>, which must be at the model's sample rate, chunk by chunk
    /// (<see cref="ChunkedPass"/>). The output has the input's length.
    /// </summary>
    public static AudioClip Run(Autoencoder model, AudioClip clip, ChunkingOptions? chunking = null)
    {
        LatentCodec.RequireRate(model.Options, clip);
        var hop = model.Options.HopLength;
        var output = new float[clip.Length];
        ChunkedPass.Run(model, LatentCodec.FramesOf(clip, hop), chunking, (window, device) =>
        {
            using var input = ChunkedPass.AudioOf(clip, window, hop, device);
            ChunkedPass.CopyOwnSamples(model.forward(input), window, hop, output);
        });
        return new AudioClip(output, clip.SampleRate);
    }
}
