using PostRvq.Audio;
using PostRvq.Data;
using PostRvq.Metrics;
using PostRvq.Nn;
using PostRvq.Quantization;
using PostRvq.Quantization.InLoop;
using TorchSharp;
using static TorchSharp.torch;

namespace PostRvq.Training;

/// <summary>
/// The end-to-end baseline the paper compares against (an RVQGAN as in SoundStream and DAC): the continuous model's
/// encoder and decoder, trained from scratch with a <see cref="InLoopResidualQuantizer"/> between them, with step
/// 1's losses plus commitment and codebook losses, k-means-initialised codebooks, dead-code replacement and quantizer
/// dropout. After training, <see cref="SaveModel"/> writes a .model and the learnt RVQ as a plain .quantizer, so the
/// E2E codec is evaluated exactly like a post-training-quantized one. Progress reports codebook usage as
/// <c>vq/used</c>, <c>vq/perplexity</c> and <c>vq/dead</c>.
/// </summary>
public sealed class E2ETrainer : AdversarialTrainer
{
    readonly IReadOnlyList<AudioClip> train;

    /// <param name="config">Model, discriminators, losses, the <c>training</c> budget and the <c>e2e</c> quantizer.</param>
    /// <param name="train">Training clips at the model's sample rate.</param>
    /// <param name="valid">Validation clips; scored with all stages.</param>
    /// <param name="runFolder">Where the checkpoint and log.jsonl go.</param>
    /// <param name="device">CPU unless given.</param>
    public E2ETrainer(ExperimentConfig config, IReadOnlyList<AudioClip> train, IReadOnlyList<AudioClip> valid, string runFolder, Device? device = null)
        : base(config, train, valid, runFolder, device)
    {
        this.train = train;
        Quantizer = new InLoopResidualQuantizer(config.Model.LatentDim, config.E2E);
        Quantizer.to(Device);
        CreateOptimizers(Model.parameters().Concat(Quantizer.parameters().Where(p => p.requires_grad)));
    }

    /// <summary>The in-loop RVQ.</summary>
    public InLoopResidualQuantizer Quantizer { get; }

    /// <summary>Bitrate of all stages at the model's frame rate.</summary>
    public double FullKbps => Bitrate.Kbps(Config.E2E.Codebooks, Config.E2E.CodebookSize, Config.Model.FrameRate);

    /// <summary>The learnt RVQ as an inference quantizer (see <see cref="InLoopResidualQuantizer.Export"/>).</summary>
    public IQuantizer ExportQuantizer()
    {
        var quantizer = Quantizer.Export();
        if (quantizer is FrameQuantizer frame)
        {
            frame.Provenance["trainedBy"] = "e2e";
            frame.Provenance["steps"] = Step.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return quantizer;
    }

    /// <summary>Writes the autoencoder to <paramref name="modelPath"/> (.model) and the exported RVQ next to it (.quantizer).</summary>
    public ModelInfo SaveModel(string modelPath, string trainedOn = "", AudioMetricValues? testMetrics = null)
    {
        var quantizerPath = Path.ChangeExtension(modelPath, QuantizerFile.Extension);
        var info = new ModelInfo
        {
            Options = Model.Options,
            Config = Config.Name,
            Steps = Step,
            TrainedOn = trainedOn,
            TestMetrics = testMetrics,
            Kind = "e2e",
            Kbps = [FullKbps],
            Quantizer = Path.GetFileName(quantizerPath),
        };
        ModelFile.Save(modelPath, Model, info);
        ExportQuantizer().Save(quantizerPath);
        return info;
    }

    protected override GeneratorOutput Generate(Tensor audio, IDictionary<string, double> losses)
    {
        if (!Quantizer.IsInitialized && Config.E2E.KMeansInitBatches > 0) InitializeCodebooks();
        var latent = Model.Encode(audio);
        var output = Quantizer.Forward(latent, Quantizer.SampleStageCounts(audio.shape[0], Device));
        var e2e = Config.E2E;
        losses["vq/commit"] = EnsureFinite(output.CommitmentLoss, "vq/commit");
        var extra = output.CommitmentLoss * e2e.CommitmentWeight;
        if (!e2e.Ema)
        {
            losses["vq/codebook"] = EnsureFinite(output.CodebookLoss, "vq/codebook");
            extra = extra + output.CodebookLoss * e2e.CodebookWeight;
        }
        var statistics = output.Statistics!;
        losses["vq/used"] = statistics.UsedFraction;
        losses["vq/perplexity"] = statistics.Perplexity;
        losses["vq/dead"] = statistics.Dead;
        return new GeneratorOutput(Model.Decode(output.Quantized).narrow(-1, 0, audio.shape[^1]), extra);
    }

    protected override Tensor Reconstruct(Tensor audio) =>
        Model.Decode(Quantizer.Forward(Model.Encode(audio)).Quantized).narrow(-1, 0, audio.shape[^1]);

    protected override void SetGeneratorMode(bool training)
    {
        base.SetGeneratorMode(training);
        if (training) Quantizer.train();
        else Quantizer.eval();
    }

    protected override IEnumerable<(string Section, Func<ExperimentConfig, object> Select)> ExtraResumeSections => [("e2e", c => c.E2E)];

    protected override void SaveExtraState(BinaryWriter writer) => Quantizer.save(writer);

    protected override void LoadExtraState(BinaryReader reader) => Quantizer.load(reader, strict: true);

    /// <summary>
    /// k-means on the untrained encoder's latents of the first batches (SoundStream's init). They come from their own
    /// seeded crop stream, so the training batches are the same with or without it.
    /// </summary>
    void InitializeCodebooks()
    {
        var t = Config.Training;
        var crops = new RandomCrops(train, t.CropLength(Config.Model.SampleRate), t.BatchSize, unchecked((ulong)t.Seed + 1));
        var frames = new List<Tensor>();
        var count = 0L;
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            // Enough frames for k-means to find every entry a point, and at least the configured batches.
            while (frames.Count < Config.E2E.KMeansInitBatches || count < Config.E2E.CodebookSize)
            {
                using var batch = crops.Next();
                var latent = Model.Encode(batch.Audio.to(Device));
                frames.Add(latent.permute(0, 2, 1).reshape(-1, latent.shape[1]));
                count += frames[^1].shape[0];
            }
            Quantizer.InitializeFromLatents(cat(frames, 0));
        }
        Log.Note(Step, $"codebooks initialised by k-means on {count} latent frames of {frames.Count} batches");
    }

    public override void Dispose()
    {
        Quantizer.Dispose();
        base.Dispose();
    }
}
