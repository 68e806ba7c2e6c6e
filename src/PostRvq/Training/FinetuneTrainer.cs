using System.Security.Cryptography;
using PostRvq.Audio;
using PostRvq.Data;
using PostRvq.Metrics;
using PostRvq.Quantization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Training;

/// <summary>
/// Step 3 of the paper (Lahrichi et al.): with the encoder and a fitted quantizer frozen, only the decoder is trained,
/// on Decode(Quantize(Encode(x))), with step 1's reconstruction and adversarial losses. The discriminators and their
/// optimiser continue from step 1's checkpoint when there is one. With several bitrates, each batch draws one, so a
/// single decoder serves all of them. The checkpoint holds the quantizer file, and resume refuses another quantizer.
/// </summary>
public sealed class FinetuneTrainer : AdversarialTrainer
{
    readonly IReadOnlyList<(double Kbps, IQuantizer Quantizer)> bitrates;
    readonly IQuantizer validationQuantizer;
    readonly byte[] quantizerFile;
    readonly string quantizerSha256;
    readonly ModelInfo pretrained;
    readonly nn.Module encoder;

    /// <param name="config">Loss weights, <c>training</c> (batch, crops, schedule, seed) and the <c>finetune</c> section;
    /// the model comes from <paramref name="source"/>, and the discriminators from its checkpoint when it has one.</param>
    /// <param name="source">The step-1 model, and optionally its checkpoint.</param>
    /// <param name="quantizer">A fitted quantizer of the model's latents; truncated per bitrate when it is truncatable.</param>
    /// <param name="train">Training clips at the model's sample rate.</param>
    /// <param name="valid">Validation clips; scored at <see cref="FinetuneOptions.Kbps"/>.</param>
    /// <param name="runFolder">Where the checkpoint and log.jsonl go.</param>
    /// <param name="device">CPU unless given.</param>
    public FinetuneTrainer(ExperimentConfig config, FinetuneSource source, IQuantizer quantizer, IReadOnlyList<AudioClip> train,
        IReadOnlyList<AudioClip> valid, string runFolder, Device? device = null)
        : base(EffectiveConfig(config, source), train, valid, runFolder, device, startFromLinearCodec: false)
    {
        if (!quantizer.IsFitted) throw new ArgumentException("The quantizer must be fitted before finetuning.", nameof(quantizer));
        if (quantizer.Dimension != Config.Model.LatentDim)
            throw new ArgumentException($"The quantizer is for {quantizer.Dimension}-d latents but the model's are {Config.Model.LatentDim}-d.", nameof(quantizer));
        pretrained = source.Info;
        CopyWeights(source.Model, Model);
        encoder = Model.named_children().Single(child => child.name == "encoder").module;
        SetTrainable(encoder, false);
        var frameRate = Config.Model.FrameRate;
        bitrates = Config.Finetune.TrainingBitrates.Select(kbps => (kbps, QuantizerFor(quantizer, kbps, frameRate))).ToList();
        validationQuantizer = QuantizerFor(quantizer, Config.Finetune.Kbps, frameRate);
        quantizerFile = FileBytes(quantizer);
        quantizerSha256 = Convert.ToHexStringLower(SHA256.HashData(quantizerFile));
        CreateOptimizers(Model.named_parameters().Where(p => p.name.StartsWith("decoder.", StringComparison.Ordinal)).Select(p => p.parameter));
        DiscriminatorSource = source.DiscriminatorCheckpoint ?? "fresh (no step-1 checkpoint given, only a model file)";
        if (source.DiscriminatorCheckpoint is { } checkpoint)
            Checkpoint.LoadDiscriminator(checkpoint, Discriminator, DiscriminatorOptimizer);
        if (!File.Exists(CheckpointPath))
            Log.Note(0, $"discriminators: {DiscriminatorSource}; quantizer {quantizer.Kind} sha256 {quantizerSha256}; "
                + $"bitrates {string.Join(", ", bitrates.Select(b => $"{b.Kbps} kbps = {b.Quantizer.Codebooks} codebooks"))}");
    }

    /// <summary>The step-1 checkpoint the discriminators continue from, or a note that they start fresh.</summary>
    public string DiscriminatorSource { get; }

    /// <summary>The bitrates training draws from, each with its (truncated) quantizer.</summary>
    public IReadOnlyList<(double Kbps, IQuantizer Quantizer)> Bitrates => bitrates;

    /// <summary>The bitrate batch <paramref name="step"/> (0-based) trains at: a seeded draw that depends only on the seed and step, so resume repeats it.</summary>
    public double KbpsAt(long step) => bitrates[BitrateIndex(step)].Kbps;

    /// <summary>
    /// Writes the finetuned autoencoder to <paramref name="modelPath"/> (.model) and the quantizer file next to it
    /// (same name, .quantizer). Steps in its info count step 1 and finetuning together.
    /// </summary>
    public ModelInfo SaveModel(string modelPath, string trainedOn = "", AudioMetricValues? testMetrics = null)
    {
        var quantizerPath = Path.ChangeExtension(modelPath, QuantizerFile.Extension);
        var info = new ModelInfo
        {
            Options = Model.Options,
            Config = Config.Name,
            Steps = pretrained.Steps + Step,
            FinetuneSteps = Step,
            TrainedOn = trainedOn,
            TestMetrics = testMetrics,
            Kind = "finetuned",
            Kbps = bitrates.Select(b => b.Kbps).ToArray(),
            Quantizer = Path.GetFileName(quantizerPath),
        };
        ModelFile.Save(modelPath, Model, info);
        IO.AtomicFile.Write(quantizerPath, stream => stream.Write(quantizerFile));
        return info;
    }

    /// <summary>The finetuned codec at the validation bitrate: audio [B, 1, T] → [B, 1, T].</summary>
    public Tensor Codec(Tensor audio) => DecodeQuantized(audio, validationQuantizer);

    protected override GeneratorOutput Generate(Tensor audio, IDictionary<string, double> losses)
    {
        var (kbps, quantizer) = bitrates[BitrateIndex(Step)];
        losses["kbps"] = kbps;
        return new GeneratorOutput(DecodeQuantized(audio, quantizer));
    }

    protected override Tensor Reconstruct(Tensor audio) => DecodeQuantized(audio, validationQuantizer);

    protected override void SetGeneratorMode(bool training)
    {
        base.SetGeneratorMode(training);
        encoder.eval();
    }

    protected override IReadOnlyDictionary<string, string> RunFacts => new Dictionary<string, string>
    {
        ["quantizer.sha256"] = quantizerSha256,
        ["pretrained.steps"] = pretrained.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override IEnumerable<(string Section, Func<ExperimentConfig, object> Select)> ExtraResumeSections =>
        [("finetune", c => c.Finetune with { Steps = 0 })];

    protected override void SaveExtraState(BinaryWriter writer)
    {
        writer.Write(quantizerFile.Length);
        writer.Write(quantizerFile);
    }

    protected override void LoadExtraState(BinaryReader reader)
    {
        var saved = reader.ReadBytes(reader.ReadInt32());
        if (!saved.AsSpan().SequenceEqual(quantizerFile))
            throw new InvalidOperationException("the checkpoint was finetuned with another quantizer");
    }

    Tensor DecodeQuantized(Tensor audio, IQuantizer quantizer)
    {
        using var scope = NewDisposeScope();
        Tensor quantized;
        // The encoder and quantizer are frozen: nothing before the decoder needs a graph.
        using (no_grad())
        {
            var latent = Model.Encode(audio);
            quantized = quantizer.Quantize(latent.cpu()).Quantized.to(latent.device);
        }
        return Model.Decode(quantized).narrow(-1, 0, audio.shape[^1]).MoveToOuterDisposeScope();
    }

    int BitrateIndex(long step)
    {
        if (bitrates.Count == 1) return 0;
        var random = new Xoshiro256StarStar(unchecked((ulong)Config.Training.Seed * 0x9E3779B97F4A7C15UL + (ulong)step));
        return (int)random.NextBelow(bitrates.Count);
    }

    /// <summary>The model's config for this run: step 1's model and discriminators, and the finetune schedule as its training.</summary>
    static ExperimentConfig EffectiveConfig(ExperimentConfig config, FinetuneSource source)
    {
        config.Finetune.Validate();
        var discriminator = source.DiscriminatorCheckpoint is { } checkpoint
            ? Checkpoint.ReadInfo(checkpoint).Config.Discriminator
            : config.Discriminator;
        return config with
        {
            Model = source.Model.Options,
            Discriminator = discriminator,
            Training = config.Training with
            {
                Steps = config.Finetune.Steps,
                LearningRate = config.Finetune.LearningRate,
                AdversarialWarmupSteps = 0,
            },
        };
    }

    static IQuantizer QuantizerFor(IQuantizer quantizer, double kbps, double frameRate)
    {
        if (quantizer is not ITruncatableQuantizer truncatable)
        {
            if (Math.Abs(quantizer.Kbps(frameRate) - kbps) > 1e-6)
                throw new ArgumentException($"The {quantizer.Kind} quantizer runs at {quantizer.Kbps(frameRate):G4} kbps only and cannot be truncated to {kbps} kbps.");
            return quantizer;
        }
        var sizes = quantizer.CodebookSizes.Distinct().ToList();
        if (sizes.Count != 1)
            throw new ArgumentException($"Truncating to a bitrate needs codebooks of one size; the {quantizer.Kind} quantizer has {string.Join("/", sizes)}.");
        Bitrate.RequireOneCodebook(kbps, sizes[0], frameRate, "The finetune bitrate");
        var codebooks = Bitrate.CodebooksFor(kbps, checked((int)sizes[0]), frameRate);
        if (codebooks > quantizer.Codebooks)
            throw new ArgumentException($"{kbps} kbps needs {codebooks} codebooks but the {quantizer.Kind} quantizer has {quantizer.Codebooks}.");
        return codebooks == quantizer.Codebooks ? quantizer : truncatable.Truncate(codebooks);
    }

    static byte[] FileBytes(IQuantizer quantizer)
    {
        var path = Path.Combine(Path.GetTempPath(), $"postrvq-{Guid.NewGuid():N}{QuantizerFile.Extension}");
        try
        {
            quantizer.Save(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    static void CopyWeights(nn.Module from, nn.Module to)
    {
        using var noGrad = no_grad();
        var target = to.state_dict();
        foreach (var (name, value) in from.state_dict()) target[name].copy_(value);
    }
}
