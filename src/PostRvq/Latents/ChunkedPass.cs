using PostRvq.Audio;
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Latents;

/// <summary>
/// One chunk of a pass, in latent frames: the chunk's own frames [Start, Start + Take) and the window
/// [From, To) the model sees, which adds context on both sides where the sequence has it.
/// </summary>
public readonly record struct ChunkWindow(long From, long Start, long Take, long To);

/// <summary>
/// The one chunking loop of inference, behind <see cref="LatentCodec"/> and <c>Codecs.Reconstruction</c>: chunks
/// and context are whole latent frames, so chunk starts fall on frame boundaries in samples and in latents alike.
/// Every pass runs in eval mode without gradients, on the device of the model's parameters (the CPU for a model
/// without any), with one dispose scope per chunk.
/// </summary>
public static class ChunkedPass
{
    /// <summary>
    /// Calls <paramref name="pass"/> for each chunk of a sequence of <paramref name="frames"/> latent frames whose
    /// first <paramref name="needed"/> frames are wanted (all when null), with the device to put its input on.
    /// </summary>
    public static void Run(Autoencoder model, long frames, ChunkingOptions? chunking, Action<ChunkWindow, Device> pass, long? needed = null)
    {
        var (chunk, context) = FramesOf(chunking ?? new ChunkingOptions(), model.Options);
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        var end = Math.Min(frames, needed ?? frames);
        model.eval();
        using var noGrad = no_grad();
        // Positions in long: a chunk and its context past the end of a long clip must not wrap around.
        for (long start = 0; start < end; start += chunk)
        {
            using var scope = NewDisposeScope();
            pass(new ChunkWindow(Math.Max(0, start - context), start, Math.Min(chunk, frames - start), Math.Min(frames, start + chunk + context)), device);
        }
    }

    /// <summary>The samples of <paramref name="clip"/> under the window's frames, as a batch [1, 1, ≤ (To − From)·hop] on <paramref name="device"/>.</summary>
    public static Tensor AudioOf(AudioClip clip, ChunkWindow window, int hop, Device device)
    {
        var from = window.From * hop;
        var to = Math.Min(clip.Length, window.To * hop);
        // A native copy of the window, not a managed one: a long clip's chunks leave no garbage for the GC to keep.
        using var whole = AudioTensors.View(clip);
        return whole.narrow(-1, from, to - from).to(device, copy: true);
    }

    /// <summary>
    /// Copies the chunk's own samples of a pass's output audio (any shape holding the window's samples in order)
    /// into <paramref name="samples"/>, which ends where the clip does.
    /// </summary>
    public static void CopyOwnSamples(Tensor audio, ChunkWindow window, int hop, float[] samples)
    {
        var start = window.Start * hop;
        var take = Math.Min(window.Take * hop, samples.Length - start);
        using var own = audio.cpu().reshape(-1).narrow(0, (window.Start - window.From) * hop, take);
        using var target = from_array(samples);
        target.narrow(0, start, take).copy_(own);
    }

    /// <summary>Chunk and context of <paramref name="chunking"/> in whole frames of the model, each at least one.</summary>
    /// <exception cref="ArgumentException">A length out of range, or more samples than one pass can hold.</exception>
    public static (int Chunk, int Context) FramesOf(ChunkingOptions chunking, AutoencoderOptions options)
    {
        chunking.Validate();
        return (WholeFrames(chunking.ChunkSeconds * options.SampleRate, options.HopLength),
            WholeFrames(chunking.ContextSeconds * options.SampleRate, options.HopLength));
    }

    /// <summary>Samples rounded up to whole frames (at least one), whose samples are checked against int before the cast.</summary>
    static int WholeFrames(double samples, int hop)
    {
        var frames = Math.Max(1, Math.Ceiling(samples / hop));
        if (!(frames * hop <= int.MaxValue))
            throw new ArgumentException($"A chunk of {samples} samples is more than one pass can hold; use shorter chunks.");
        return (int)frames;
    }
}
