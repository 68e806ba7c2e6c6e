using System.Diagnostics;
using PostRvq.Audio;
using PostRvq.Data;
using PostRvq.Discriminators;
using PostRvq.Losses;
using PostRvq.Metrics;
using PostRvq.Native;
using PostRvq.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Training;

/// <summary>The outcome of <see cref="AdversarialTrainer.Run"/>.</summary>
public sealed record TrainResult(long Step, bool Completed, AudioMetricValues? LastValidation, TimeSpan WallTime);

/// <summary>What a subclass's generator made of a batch: audio [B, 1, T] and an optional extra scalar loss.</summary>
/// <param name="Audio">The reconstruction [B, 1, T], with the graph to whatever the subclass trains.</param>
/// <param name="ExtraLoss">Already weighted; added to the generator's total (e.g. commitment and codebook losses).</param>
public sealed record GeneratorOutput(Tensor Audio, Tensor? ExtraLoss = null);

/// <summary>
/// The loop that every stage of the paper trains with: DAC's multi-scale mel and multi-resolution STFT losses and,
/// after an optional warm-up, least-squares GAN and feature-matching losses against multi-period and multi-band STFT
/// discriminators (Kumar et al. 2023). Subclasses decide what the generator is (the continuous autoencoder, a decoder
/// behind a frozen encoder and quantizer, an autoencoder with an in-loop RVQ) and which parameters it trains. The base
/// owns crops, discriminators, both AdamW optimisers, learning-rate decay, NaN detection, validation, log.jsonl and
/// atomic checkpoints that resume bit-exactly on CPU.
/// </summary>
public abstract class AdversarialTrainer : IDisposable
{
    AdamW? generatorOptimizer;
    AdamW? discriminatorOptimizer;
    IReadOnlyList<Parameter> generatorParameters = [];
    readonly RandomCrops crops;
    readonly IReadOnlyList<AudioClip> validationClips;
    readonly MelAndStftLoss spectralLoss;
    readonly WaveformLoss waveformLoss;
    readonly TrainingLog log;
    string? lastCheckpoint;

    /// <summary>The run's config; its <see cref="ExperimentConfig.Training"/> section is the one this trainer follows.</summary>
    public ExperimentConfig Config { get; }
    public Autoencoder Model { get; }
    public Discriminator Discriminator { get; }
    public string RunFolder { get; }
    /// <summary>The linear codec an <c>mdct</c> model's fresh weights were set from; null for the waveform family.</summary>
    public MdctLinearCodec? LinearCodec { get; }
    /// <summary>Optimiser steps taken so far.</summary>
    public long Step { get; private set; }
    public string CheckpointPath => Path.Combine(RunFolder, Checkpoint.FileName);
    public string LogPath => log.FilePath;
    /// <summary>Lines of log.jsonl that <see cref="Resume"/> could not read as rows and dropped (a crash can cut the last one short).</summary>
    public int UnparseableLogLines { get; private set; }
    /// <summary>
    /// True (the default): the discriminator step judges real and generated audio in one stacked pass
    /// (<see cref="Discriminator.JudgeTogether"/>); false: in two passes, as <c>bench train</c> times for comparison.
    /// Both give the same losses and gradients up to float rounding.
    /// </summary>
    public bool JudgeRealAndFakeTogether { get; set; } = true;
    protected Device Device { get; }
    protected TrainingLog Log => log;

    /// <summary>
    /// Seeds torch, builds a fresh autoencoder and discriminators, and prepares crops and validation. Subclasses must
    /// call <see cref="CreateOptimizers"/> once their generator is complete.
    /// </summary>
    /// <param name="config">Model, discriminators, loss weights and the optimisation this trainer follows.</param>
    /// <param name="train">Training clips at the model's sample rate.</param>
    /// <param name="valid">Validation clips at the model's sample rate; fixed crops of them are scored.</param>
    /// <param name="runFolder">Where the checkpoint and log.jsonl go; created if missing.</param>
    /// <param name="device">CPU unless given; on CPU, <see cref="CpuConvolutions"/> chooses between oneDNN and ATen's native convolutions.</param>
    /// <param name="startFromLinearCodec">Fit an MDCT model's linear codec; false when trained weights load over it anyway.</param>
    protected AdversarialTrainer(ExperimentConfig config, IReadOnlyList<AudioClip> train, IReadOnlyList<AudioClip> valid,
        string runFolder, Device? device, bool startFromLinearCodec = true)
    {
        config.Validate();
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        var sampleRate = config.Model.SampleRate;
        foreach (var clip in train.Concat(valid))
            if (clip.SampleRate != sampleRate)
                throw new ArgumentException($"Every clip must be at the model's {sampleRate} Hz; one is at {clip.SampleRate} Hz.");
        TrainingCrops.RequireFits(train, config.Training.CropSeconds);
        Device = device ?? CPU;
        var convolutions = Device.type == DeviceType.CPU ? CpuConvolutions.Choose(config, runFolder) : null;
        Config = config;
        RunFolder = runFolder;
        Directory.CreateDirectory(runFolder);

        torch.manual_seed(config.Training.Seed);
        Model = Autoencoder.Create(config.Model);
        // An MDCT model starts from the linear codec of its training frames; a resume then loads over it.
        if (config.Model.Kind == ModelKinds.Mdct && startFromLinearCodec) LinearCodec = MdctLinearInit.FitAndApply(Model, train);
        Model.to(Device);
        Discriminator = Discriminator.Create(config.Discriminator, sampleRate);
        Discriminator.to(Device);
        convolutions?.Apply(Model);
        convolutions?.Apply(Discriminator);
        var t = config.Training;
        crops = new RandomCrops(train, t.CropLength(sampleRate), t.BatchSize, unchecked((ulong)t.Seed));
        var validationSet = t.ValidationClips == 0 ? valid : valid.Take(t.ValidationClips).ToList();
        // SI-SDR of a silent crop is undefined, and one such crop would swamp the mean.
        validationClips = EvaluationCrops.Fixed(validationSet, (int)Math.Round(t.ValidationSeconds * sampleRate))
            .Where(crop => !crop.IsSilent).ToList();
        spectralLoss = new MelAndStftLoss(sampleRate);
        waveformLoss = new WaveformLoss(config.Model.HopLength);
        log = new TrainingLog(runFolder);
    }

    /// <summary>Builds both AdamW optimisers: the generator's over <paramref name="trainable"/>, the discriminators' over theirs.</summary>
    protected void CreateOptimizers(IEnumerable<Parameter> trainable)
    {
        var t = Config.Training;
        generatorParameters = trainable.ToList();
        generatorOptimizer = optim.AdamW(generatorParameters, t.LearningRate, t.Beta1, t.Beta2, weight_decay: t.WeightDecay);
        discriminatorOptimizer = optim.AdamW(Discriminator.parameters(), t.LearningRate, t.Beta1, t.Beta2, weight_decay: t.WeightDecay);
    }

    protected AdamW GeneratorOptimizer => generatorOptimizer ?? throw new InvalidOperationException("CreateOptimizers was not called.");
    protected AdamW DiscriminatorOptimizer => discriminatorOptimizer ?? throw new InvalidOperationException("CreateOptimizers was not called.");

    /// <summary>Audio [B, 1, T] → the generator's output in training mode, with the graph to its trainable parameters.</summary>
    /// <param name="audio">A training batch [B, 1, T].</param>
    /// <param name="losses">Where the subclass reports its own terms and statistics (such as <c>vq/commit</c>).</param>
    protected abstract GeneratorOutput Generate(Tensor audio, IDictionary<string, double> losses);

    /// <summary>Audio [B, 1, T] → reconstruction [B, 1, T] for validation; called in eval mode under no_grad.</summary>
    protected abstract Tensor Reconstruct(Tensor audio);

    /// <summary>Puts every generator module in training or eval mode.</summary>
    protected virtual void SetGeneratorMode(bool training)
    {
        if (training) Model.train();
        else Model.eval();
    }

    /// <summary>Facts a resume must match before anything is loaded; saved in <see cref="CheckpointInfo.Run"/>.</summary>
    protected virtual IReadOnlyDictionary<string, string> RunFacts => new Dictionary<string, string>();

    /// <summary>Config sections a resume must match, besides model, discriminator, loss and training.</summary>
    protected virtual IEnumerable<(string Section, Func<ExperimentConfig, object> Select)> ExtraResumeSections => [];

    /// <summary>Appends trainer-specific state to a checkpoint, after the shared state.</summary>
    protected virtual void SaveExtraState(BinaryWriter writer)
    {
    }

    /// <summary>Reads what <see cref="SaveExtraState"/> wrote.</summary>
    protected virtual void LoadExtraState(BinaryReader reader)
    {
    }

    /// <summary>Continues from <see cref="CheckpointPath"/> if it exists. Returns false for a fresh run.</summary>
    /// <exception cref="ConfigException">The checkpoint was trained with another config or other run facts.</exception>
    public bool Resume()
    {
        if (!File.Exists(CheckpointPath)) return false;
        var saved = Checkpoint.ReadInfo(CheckpointPath);
        var difference = ConfigDifference(saved.Config, Config, saved.Step) ?? FactsDifference(saved.Run);
        if (difference is not null)
            throw new ConfigException($"{CheckpointPath}: the run was started with another config ({difference}); use a new --out folder.");
        var info = Checkpoint.Load(CheckpointPath, Model, Discriminator, GeneratorOptimizer, DiscriminatorOptimizer, LoadExtraState);
        crops.SetState(info.CropRngState);
        Step = info.Step;
        SetLearningRate();
        UnparseableLogLines = log.TruncateAfter(Step);
        lastCheckpoint = CheckpointPath;
        return true;
    }

    /// <summary>
    /// Trains until <see cref="TrainingOptions.Steps"/>, validating and checkpointing on schedule. Cancelling
    /// saves a checkpoint and returns. A NaN or infinite loss throws <see cref="TrainingDivergedException"/>.
    /// </summary>
    public TrainResult Run(IProgress<TrainStep>? progress = null, CancellationToken cancellation = default)
    {
        var t = Config.Training;
        var clock = Stopwatch.StartNew();
        var startStep = Step;
        AudioMetricValues? lastValidation = null;
        while (Step < t.Steps && !cancellation.IsCancellationRequested)
        {
            var losses = TrainOneStep();
            log.Append("train", Step, losses);
            var rate = (Step - startStep) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            var eta = TimeSpan.FromSeconds((t.Steps - Step) / Math.Max(rate, 1e-9));
            progress?.Report(new TrainStep(Step, t.Steps, losses, rate, eta, CurrentLearningRate));
            if (Step % t.ValidateEvery == 0 || Step == t.Steps)
            {
                lastValidation = Validate();
                log.Append("valid", Step, ValidationRow(lastValidation));
                progress?.Report(new TrainStep(Step, t.Steps, losses, rate, eta, CurrentLearningRate, lastValidation));
            }
            if (Step % t.CheckpointEvery == 0 || Step == t.Steps) SaveCheckpoint();
        }
        if (cancellation.IsCancellationRequested && Step > startStep) SaveCheckpoint();
        return new TrainResult(Step, Step >= t.Steps, lastValidation, clock.Elapsed);
    }

    /// <summary>One generator step (and one discriminator step once adversarial training is on).</summary>
    /// <returns>The step's losses and statistics under their namespaced keys.</returns>
    public IReadOnlyDictionary<string, double> TrainOneStep()
    {
        var weights = Config.Loss;
        var adversarial = Config.Training.Adversarial && Step >= Config.Training.AdversarialWarmupSteps;
        var losses = new Dictionary<string, double>();
        // An optimiser state loaded from another run carries that run's rate; the schedule is this run's.
        SetLearningRate();
        using var scope = NewDisposeScope();
        using var batch = crops.Next();
        var audio = batch.Audio.to(Device);
        var mask = batch.Mask.to(Device);
        SetGeneratorMode(true);
        var generated = Generate(audio, losses);
        // Padding past a short clip's end is not audio, so it must not be asked for.
        var reconstruction = generated.Audio * mask;

        if (adversarial)
        {
            Discriminator.train();
            SetTrainable(Discriminator, true);
            var (real, fake) = JudgeRealAndFakeTogether
                ? Discriminator.JudgeTogether(audio, reconstruction.detach())
                : (Discriminator.forward(audio), Discriminator.forward(reconstruction.detach()));
            var discriminatorLoss = GanLoss.Discriminator(real, fake);
            losses["adv/disc"] = EnsureFinite(discriminatorLoss, "adv/disc");
            DiscriminatorOptimizer.zero_grad();
            discriminatorLoss.backward();
            EnsureFinite(nn.utils.clip_grad_norm_(Discriminator.parameters(), Config.Training.DiscriminatorGradientClip), "discriminator gradient norm");
            DiscriminatorOptimizer.step();
        }

        var (mel, stft) = spectralLoss.Forward(reconstruction, audio);
        var total = mel * weights.Mel + stft * weights.Stft;
        losses["mel"] = EnsureFinite(mel, "mel");
        losses["stft"] = EnsureFinite(stft, "stft");
        if (weights.Waveform > 0)
        {
            var wave = WaveformLoss.Samples(reconstruction, audio);
            total = total + wave * weights.Waveform;
            losses["wave"] = EnsureFinite(wave, "wave");
        }
        if (weights.Mdct > 0)
        {
            var coefficients = waveformLoss.Coefficients(reconstruction, audio);
            total = total + coefficients * weights.Mdct;
            losses["mdct"] = EnsureFinite(coefficients, "mdct");
        }
        if (generated.ExtraLoss is { } extra) total = total + extra;
        if (adversarial)
        {
            // The generator step must not move the discriminators, so their weights stop collecting gradients.
            SetTrainable(Discriminator, false);
            var fake = Discriminator.forward(reconstruction);
            IReadOnlyList<DiscriminatorOutput> real;
            using (no_grad()) real = Discriminator.forward(audio);
            var generator = GanLoss.Generator(fake);
            var features = FeatureMatchingLoss.Compute(real, fake);
            total = total + generator * weights.Adversarial + features * weights.FeatureMatching;
            losses["adv/gen"] = EnsureFinite(generator, "adv/gen");
            losses["adv/feat"] = EnsureFinite(features, "adv/feat");
        }
        losses["loss"] = EnsureFinite(total, "loss");
        GeneratorOptimizer.zero_grad();
        total.backward();
        EnsureFinite(nn.utils.clip_grad_norm_(generatorParameters, Config.Training.GeneratorGradientClip), "generator gradient norm");
        GeneratorOptimizer.step();
        Step++;
        SetLearningRate();
        return losses;
    }

    /// <summary>Mean metrics of the generator on fixed crops of the validation clips.</summary>
    public AudioMetricValues Validate(int batchSize = 8)
    {
        if (validationClips.Count == 0) return new AudioMetricValues(double.NaN, double.NaN, double.NaN, double.NaN);
        SetGeneratorMode(false);
        var rows = new List<AudioMetricValues>();
        using (no_grad())
        {
            foreach (var chunk in validationClips.Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                var audio = AudioTensors.ToBatch(chunk, chunk.Max(c => c.Length)).to(Device);
                rows.AddRange(AudioMetrics.Compute(audio, Reconstruct(audio), Config.Model.SampleRate));
            }
        }
        SetGeneratorMode(true);
        return AudioMetrics.Mean(rows);
    }

    /// <summary>Writes <see cref="CheckpointPath"/> atomically.</summary>
    public void SaveCheckpoint()
    {
        var info = new CheckpointInfo(Config, Step, crops.GetState(), DateTime.UtcNow, RunFacts);
        Checkpoint.Save(CheckpointPath, info, Model, Discriminator, GeneratorOptimizer, DiscriminatorOptimizer, SaveExtraState);
        lastCheckpoint = CheckpointPath;
    }

    protected double CurrentLearningRate => Config.Training.LearningRateAt(Step);

    // Computing the decayed rate from the step keeps resume exact without saving a scheduler.
    void SetLearningRate()
    {
        foreach (var group in GeneratorOptimizer.ParamGroups) group.LearningRate = CurrentLearningRate;
        foreach (var group in DiscriminatorOptimizer.ParamGroups) group.LearningRate = CurrentLearningRate;
    }

    protected double EnsureFinite(Tensor value, string name) => EnsureFinite(value.item<float>(), name);

    protected double EnsureFinite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new TrainingDivergedException(Step + 1, $"{name} is {value}", lastCheckpoint);
        return value;
    }

    protected static void SetTrainable(nn.Module module, bool trainable)
    {
        foreach (var parameter in module.parameters()) parameter.requires_grad = trainable;
    }

    static Dictionary<string, double> ValidationRow(AudioMetricValues v) =>
        new() { ["mel"] = v.Mel, ["stft"] = v.Stft, ["si_sdr"] = v.SiSdr, ["snr"] = v.Snr };

    /// <summary>Names the sections that differ, ignoring the step count, which a resumed run may extend.</summary>
    string? ConfigDifference(ExperimentConfig saved, ExperimentConfig current, long savedStep)
    {
        if (saved.Model.Kind != current.Model.Kind)
            return $"model.kind is '{saved.Model.Kind}' in the checkpoint but '{current.Model.Kind}' in the config";
        var a = saved with { Name = "", Training = saved.Training with { Steps = 0 } };
        var b = current with { Name = "", Training = current.Training with { Steps = 0 } };
        // Moving an adversarial start that neither schedule has reached yet leaves every step already trained unchanged.
        if (savedStep <= Math.Min(saved.Training.AdversarialWarmupSteps, current.Training.AdversarialWarmupSteps))
            b = b with { Training = b.Training with { AdversarialWarmupSteps = a.Training.AdversarialWarmupSteps } };
        var sections = new List<(string Section, Func<ExperimentConfig, object> Select)>
        {
            ("model", c => c.Model), ("discriminator", c => c.Discriminator), ("loss", c => c.Loss), ("training", c => c.Training),
        };
        var differing = sections.Concat(ExtraResumeSections)
            .Where(s => Json(s.Select(a)) != Json(s.Select(b)))
            .Select(s => s.Section)
            .ToList();
        return differing.Count == 0 ? null : "differs in " + string.Join(", ", differing);
    }

    string? FactsDifference(IReadOnlyDictionary<string, string>? saved)
    {
        var differing = RunFacts
            .Where(fact => saved is null || !saved.TryGetValue(fact.Key, out var value) || value != fact.Value)
            .Select(fact => fact.Key)
            .ToList();
        return differing.Count == 0 ? null : "differs in " + string.Join(", ", differing);
    }

    static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value, value.GetType(), ExperimentConfig.Json);

    public virtual void Dispose()
    {
        generatorOptimizer?.Dispose();
        discriminatorOptimizer?.Dispose();
        Model.Dispose();
        Discriminator.Dispose();
        GC.SuppressFinalize(this);
    }
}
