using PostRvq.Audio;
using PostRvq.IO;
using PostRvq.Latents;
using PostRvq.Nn;
using PostRvq.Quantization;
using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Codecs;

/// <summary>
/// What a user runs on files: a trained autoencoder, optionally with the quantizer that turns its latents into
/// codes, and ids that tie codes to the exact weights and codebooks that made them. Load one from a
/// <see cref="CodecFile"/> bundle, from a model alone (continuous, no codes), or from a model and a quantizer file.
/// The codec owns its model: dispose it when done.
/// </summary>
public sealed class Codec : IDisposable
{
    /// <summary>An autoencoder with no quantizer: it reconstructs but cannot write codes.</summary>
    public const string Continuous = "continuous";

    /// <summary>A quantizer fitted after training on the continuous model's latents (the paper's method).</summary>
    public const string PostTraining = "postrvq";

    /// <summary>Post-training quantization with the decoder finetuned on quantized latents.</summary>
    public const string PostTrainingFinetuned = "postrvq-finetuned";

    /// <summary>A codec trained end to end with its quantizer.</summary>
    public const string EndToEnd = "e2e";

    public static IReadOnlyList<string> Kinds { get; } = [Continuous, PostTraining, PostTrainingFinetuned, EndToEnd];

    internal Codec(Autoencoder model, ModelInfo info, IQuantizer? quantizer, byte[]? quantizerBytes, string kind, string source)
    {
        RequireKind(kind, quantizer is not null);
        if (quantizer is not null && quantizer.Dimension != model.Options.LatentDim)
            throw new InvalidDataException(
                $"{source}: the quantizer codes {quantizer.Dimension}-dimensional latents but the model's latent dim is {model.Options.LatentDim}");
        Model = model;
        Info = info;
        Quantizer = quantizer;
        QuantizerBytes = quantizerBytes;
        Kind = kind;
        Source = source;
        ModelId = ModelFile.IdOf(model);
        QuantizerId = quantizerBytes is null ? null : ContentId.Of(quantizerBytes);
    }

    public Autoencoder Model { get; }
    public ModelInfo Info { get; }

    /// <summary>The full-depth quantizer, or null for a continuous codec.</summary>
    public IQuantizer? Quantizer { get; }

    /// <summary>One of <see cref="Kinds"/>.</summary>
    public string Kind { get; }

    /// <summary>The file or files this codec was loaded from, for messages.</summary>
    public string Source { get; }

    /// <summary>The model's <see cref="ModelFile.IdOf(Autoencoder)"/>: equal weights give equal ids in any container.</summary>
    public string ModelId { get; }

    /// <summary>The <see cref="ContentId"/> of the quantizer's saved state (see <see cref="QuantizerFile.ToBytes"/>); null without a quantizer.</summary>
    public string? QuantizerId { get; }

    /// <summary>The quantizer's saved state, kept so that the codec can be bundled again.</summary>
    internal byte[]? QuantizerBytes { get; }

    public int SampleRate => Model.Options.SampleRate;
    public double FrameRate => Model.Options.FrameRate;

    /// <summary>Loads a <see cref="CodecFile"/> bundle, or a model file, checkpoint or run folder as a continuous codec.</summary>
    /// <exception cref="InvalidDataException">Missing, corrupt, foreign or inconsistent file.</exception>
    public static Codec Load(string path)
    {
        if (CodecFile.IsCodecFile(path)) return CodecFile.Load(path);
        var (model, info) = ModelFile.Load(path);
        return Own(model, () => new Codec(model, info, null, null, Continuous, path));
    }

    /// <summary>
    /// Combines a model (file, checkpoint or run folder) with a quantizer file fitted on its latents. Without
    /// <paramref name="kind"/>, the model's own record decides: a finetuned decoder makes a
    /// <see cref="PostTrainingFinetuned"/> codec, an E2E model an <see cref="EndToEnd"/> one, any other a <see cref="PostTraining"/> one.
    /// </summary>
    /// <exception cref="InvalidDataException">A bad file, or a quantizer whose dimension is not the model's latent dim.</exception>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is unknown or <see cref="Continuous"/>.</exception>
    public static Codec Load(string modelPath, string quantizerPath, string? kind = null)
    {
        if (kind is not null) RequireKind(kind, hasQuantizer: true);
        var quantizerBytes = QuantizerFile.ReadBytes(quantizerPath);
        var quantizer = QuantizerFile.Build(QuantizerFile.FromBytes(quantizerBytes, quantizerPath), quantizerPath);
        var (model, info) = ModelFile.Load(modelPath);
        if (quantizer.Dimension != info.Options.LatentDim)
        {
            model.Dispose();
            throw new InvalidDataException(
                $"{quantizerPath} codes {quantizer.Dimension}-dimensional latents but the model {modelPath} has latent dim " +
                $"{info.Options.LatentDim}; fit the quantizer on this model's latents");
        }
        return Own(model, () => new Codec(model, info, quantizer, quantizerBytes, kind ?? KindOf(info), $"{modelPath} + {quantizerPath}"));
    }

    /// <summary>The kind of codec a model with a quantizer makes, from how the model was trained (<see cref="ModelInfo.Kind"/>).</summary>
    public static string KindOf(ModelInfo info) => info.Kind switch
    {
        "finetuned" => PostTrainingFinetuned,
        EndToEnd => EndToEnd,
        _ => PostTraining,
    };

    /// <summary>Writes this codec as one <see cref="CodecFile"/> bundle.</summary>
    public void Save(string path) => CodecFile.Save(path, this);

    /// <summary>
    /// The codebook count of the largest prefix of the quantizer within <paramref name="kbps"/>
    /// (<see cref="Metrics.Bitrate.CodebooksFor"/>). A quantizer that cannot be truncated only accepts its own bitrate.
    /// </summary>
    /// <exception cref="ArgumentException">No prefix of this quantizer codes at that bitrate, or it is below one codebook.</exception>
    public int CodebooksFor(double kbps)
    {
        var quantizer = RequireQuantizer();
        var full = quantizer.Kbps(FrameRate);
        if (quantizer is not ITruncatableQuantizer)
        {
            if (Math.Abs(kbps - full) > 1e-6 * full)
                throw new ArgumentException(
                    $"The {quantizer.Kind} quantizer of {Source} codes {full:0.###} kbps and cannot be truncated, so {kbps:0.###} kbps is not available.");
            return quantizer.Codebooks;
        }
        var sizes = quantizer.CodebookSizes.Distinct().ToList();
        if (sizes.Count != 1 || sizes[0] > int.MaxValue)
            throw new ArgumentException($"The {quantizer.Kind} quantizer's codebooks differ in size ({string.Join("/", sizes)}); give no bitrate to use all of them.");
        Metrics.Bitrate.RequireOneCodebook(kbps, sizes[0], FrameRate);
        var codebooks = Metrics.Bitrate.CodebooksFor(kbps, (int)sizes[0], FrameRate);
        if (codebooks > quantizer.Codebooks)
            throw new ArgumentException(
                $"{kbps:0.###} kbps needs {codebooks} codebooks but the {quantizer.Kind} quantizer of {Source} has {quantizer.Codebooks} ({full:0.###} kbps).");
        return codebooks;
    }

    /// <summary>The quantizer cut to its first <paramref name="codebooks"/> streams (the quantizer itself at full depth).</summary>
    /// <exception cref="ArgumentException">Out of range, or fewer streams of a quantizer that cannot be truncated.</exception>
    public IQuantizer QuantizerWith(int codebooks)
    {
        var quantizer = RequireQuantizer();
        if (codebooks == quantizer.Codebooks) return quantizer;
        if (codebooks < 1 || codebooks > quantizer.Codebooks)
            throw new ArgumentException($"The {quantizer.Kind} quantizer of {Source} has 1 to {quantizer.Codebooks} codebooks, not {codebooks}.", nameof(codebooks));
        if (quantizer is not ITruncatableQuantizer truncatable)
            throw new ArgumentException($"The {quantizer.Kind} quantizer of {Source} cannot be truncated to {codebooks} of its {quantizer.Codebooks} codebooks.", nameof(codebooks));
        return truncatable.Truncate(codebooks);
    }

    /// <summary>
    /// Codes of <paramref name="clip"/> from the first <paramref name="codebooks"/> streams (default: all). A clip at
    /// another rate is resampled to <see cref="SampleRate"/> first; the codes remember its own rate and length.
    /// </summary>
    /// <exception cref="InvalidOperationException">The codec is continuous.</exception>
    public EncodedAudio Encode(AudioClip clip, int? codebooks = null, ChunkingOptions? chunking = null)
    {
        var quantizer = QuantizerWith(codebooks ?? RequireQuantizer().Codebooks);
        var atCodecRate = Resampler.Resample(clip, SampleRate);
        var bits = quantizer.CodebookSizes.Select(BitPacking.BitsFor).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var latents = LatentCodec.Encode(Model, atCodecRate, chunking);
        return new EncodedAudio
        {
            SampleRate = clip.SampleRate,
            SampleLength = clip.Length,
            FrameRate = FrameRate,
            Bits = bits,
            ModelId = ModelId,
            QuantizerId = QuantizerId!,
            // A clip too short for one sample at the codec's rate has no frames to search.
            Codes = atCodecRate.Length == 0 ? [] : EncodedAudio.FrameMajor(quantizer.Encode(latents)),
        };
    }

    /// <summary>Decodes codes that this codec's model and quantizer made, to the original clip's length and sample rate.</summary>
    /// <exception cref="InvalidDataException">The codes were made with another model or quantizer, or do not fit this one.</exception>
    public AudioClip Decode(EncodedAudio codes, ChunkingOptions? chunking = null)
    {
        var length = checked((int)codes.SampleLength);
        if (codes.Frames == 0)
        {
            RequireCompatible(codes);
            return new AudioClip(new float[length], codes.SampleRate);
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var latents = DecodeLatents(codes);
        var decoded = LatentCodec.Decode(Model, latents, LengthAtCodecRate(codes), chunking);
        var atOriginalRate = Resampler.Resample(decoded, codes.SampleRate);
        if (atOriginalRate.Length == length) return atOriginalRate;
        // Rounding in the two resamplings can leave the round trip a sample off the original length.
        var samples = new float[length];
        Array.Copy(atOriginalRate.Samples, samples, Math.Min(length, atOriginalRate.Length));
        return new AudioClip(samples, codes.SampleRate);
    }

    /// <summary>The quantized latents [1, D, T] that <paramref name="codes"/> stand for, before the autoencoder's decoder.</summary>
    /// <exception cref="InvalidDataException">The codes were made with another model or quantizer, or do not fit this one.</exception>
    public Tensor DecodeLatents(EncodedAudio codes)
    {
        var quantizer = RequireCompatible(codes);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return quantizer.Decode(codes.ToTensor()).MoveToOuterDisposeScope();
    }

    /// <summary>Encode then decode: through the quantizer's latents z_q when there is one, else as <see cref="Reconstruction"/>.</summary>
    public AudioClip Reconstruct(AudioClip clip, ChunkingOptions? chunking = null)
    {
        if (Quantizer is null) return Reconstruction.Run(Model, clip, chunking);
        RequireRate(clip);
        chunking ??= new ChunkingOptions();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var quantized = Quantizer.Quantize(LatentCodec.Encode(Model, clip, chunking)).Quantized;
        return LatentCodec.Decode(Model, quantized, clip.Length, chunking);
    }

    public void Dispose() => Model.Dispose();

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="kind"/> is known and fits having a quantizer or not.</summary>
    public static void RequireKind(string kind, bool hasQuantizer)
    {
        if (!Kinds.Contains(kind))
            throw new ArgumentException($"Unknown codec kind '{kind}'; known: {string.Join(", ", Kinds)}.", nameof(kind));
        if (hasQuantizer == (kind == Continuous))
            throw new ArgumentException(hasQuantizer
                ? $"A codec with a quantizer cannot be of kind '{Continuous}'."
                : $"A codec of kind '{kind}' needs a quantizer; without one it is '{Continuous}'.", nameof(kind));
    }

    /// <summary>Disposes a freshly loaded model if building the codec around it fails.</summary>
    internal static Codec Own(Autoencoder model, Func<Codec> build)
    {
        try
        {
            return build();
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The length of the original clip resampled to <see cref="SampleRate"/>, rounded half up as <see cref="Resampler"/> does.</summary>
    int LengthAtCodecRate(EncodedAudio codes) =>
        checked((int)((codes.SampleLength * SampleRate * 2 + codes.SampleRate) / (codes.SampleRate * 2L)));

    IQuantizer RequireQuantizer() =>
        Quantizer ?? throw new InvalidOperationException($"{Source} is a continuous codec: it has no quantizer, so it cannot make codes.");

    void RequireRate(AudioClip clip)
    {
        if (clip.SampleRate != SampleRate)
            throw new ArgumentException($"The clip is at {clip.SampleRate} Hz but {Source} expects {SampleRate} Hz; resample it first.", nameof(clip));
    }

    /// <summary>Checks that <paramref name="codes"/> came from this model and quantizer and returns the quantizer at their depth.</summary>
    IQuantizer RequireCompatible(EncodedAudio codes)
    {
        var quantizer = RequireQuantizer();
        if (codes.ModelId != ModelId)
            throw new InvalidDataException(
                $"the codes were made with model {codes.ModelId}, but the model of {Source} is {ModelId}; decode with the model that encoded them");
        if (codes.QuantizerId != QuantizerId)
            throw new InvalidDataException(
                $"the codes were made with quantizer {codes.QuantizerId}, but the quantizer of {Source} is {QuantizerId}; decode with the quantizer that encoded them");
        if (Math.Abs(codes.FrameRate - FrameRate) > 1e-9 * FrameRate)
            throw new InvalidDataException($"the codes are at {codes.FrameRate:0.###} frames/s, but {Source} works at {FrameRate:0.###} frames/s");
        var hop = Model.Options.HopLength;
        var frames = (LengthAtCodecRate(codes) + hop - 1) / hop;
        if (codes.Frames != frames)
            throw new InvalidDataException(
                $"the codes hold {codes.Frames} frames, but {codes.SampleLength} samples at {codes.SampleRate} Hz make {frames} frames of {hop} samples at {SampleRate} Hz");
        if (codes.Codebooks > quantizer.Codebooks)
            throw new InvalidDataException($"the codes have {codes.Codebooks} streams, but the quantizer of {Source} has {quantizer.Codebooks}");
        var truncated = QuantizerWith(codes.Codebooks);
        var sizes = truncated.CodebookSizes;
        var expectedBits = sizes.Select(BitPacking.BitsFor).ToArray();
        if (!expectedBits.SequenceEqual(codes.Bits))
            throw new InvalidDataException(
                $"the codes use [{string.Join(", ", codes.Bits)}] bits per stream, but the quantizer of {Source} needs [{string.Join(", ", expectedBits)}]");
        // A codebook whose size is not a power of two leaves values its bits can hold but it cannot decode.
        for (var i = 0; i < codes.Codes.Length; i++)
            if (codes.Codes[i] >= sizes[i % sizes.Count])
                throw new InvalidDataException(
                    $"code {codes.Codes[i]} of stream {i % sizes.Count} in frame {i / sizes.Count} is beyond its {sizes[i % sizes.Count]}-entry codebook");
        return truncated;
    }
}
