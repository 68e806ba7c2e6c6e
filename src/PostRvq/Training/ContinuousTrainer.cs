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

/// <summary>The outcome of <see cref="ContinuousTrainer.Run"/>.</summary>
public sealed record TrainResult(long Step, bool Completed, AudioMetricValues? LastValidation, TimeSpan WallTime);

/// <summary>
/// Step 1 of the paper: trains the continuous autoencoder (no quantizer) with the multi-scale mel loss, a
/// multi-resolution STFT loss and, after an optional warm-up, least-squares GAN and feature-matching losses
/// against multi-period and multi-band STFT discriminators, as DAC does (Kumar et al. 2023).
/// Every step runs in its own dispose scope; checkpoints are atomic; a run resumes bit-exactly on CPU.
/// </summary>
public sealed class ContinuousTrainer : IDisposable
{
    readonly AdamW generatorOptimizer;
    readonly AdamW discriminatorOptimizer;
    readonly RandomCrops crops;
    readonly IReadOnlyList<AudioClip> validationClips;
    readonly MultiScaleMelLoss melLoss;
    readonly MultiResolutionStftLoss stftLoss;
    readonly TrainingLog log;
    readonly Device device;
    string? lastCheckpoint;

    public ExperimentConfig Config { get; }
    public Autoencoder Model { get; }
    public Discriminator Discriminator { get; }
    public string RunFolder { get; }
    /// <summary>Optimiser steps taken so far.</summary>
    public long Step { get; private set; }
    public string CheckpointPath => Path.Combine(RunFolder, Checkpoint.FileName);
    public string LogPath => log.FilePath;

    /// <param name="config">Model, discriminators, loss weights and optimisation.</param>
    /// <param name="train">Training clips at the model's sample rate.</param>
    /// <param name="valid">Validation clips at the model's sample rate; fixed crops of them are scored.</param>
    /// <param name="runFolder">Where the checkpoint and log.jsonl go; created if missing.</param>
    /// <param name="device">CPU unless given; on CPU, oneDNN convolutions are switched off.</param>
    public ContinuousTrainer(ExperimentConfig config, IReadOnlyList<AudioClip> train, IReadOnlyList<AudioClip> valid,
        string runFolder, Device? device = null)
    {
        config.Validate();
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        var sampleRate = config.Model.SampleRate;
        foreach (var clip in train.Concat(valid))
            if (clip.SampleRate != sampleRate)
                throw new ArgumentException($"Every clip must be at the model's {sampleRate} Hz; one is at {clip.SampleRate} Hz.");
        this.device = device ?? CPU;
        if (this.device.type == DeviceType.CPU) LibTorchCpu.UseExactConvolutions();
        Config = config;
        RunFolder = runFolder;
        Directory.CreateDirectory(runFolder);

        torch.manual_seed(config.Training.Seed);
        Model = Autoencoder.Create(config.Model);
        Model.to(this.device);
        Discriminator = Discriminator.Create(config.Discriminator, sampleRate);
        Discriminator.to(this.device);
        var t = config.Training;
        generatorOptimizer = optim.AdamW(Model.parameters(), t.LearningRate, t.Beta1, t.Beta2, weight_decay: t.WeightDecay);
        discriminatorOptimizer = optim.AdamW(Discriminator.parameters(), t.LearningRate, t.Beta1, t.Beta2, weight_decay: t.WeightDecay);
        crops = new RandomCrops(train, t.CropLength(sampleRate), t.BatchSize, unchecked((ulong)t.Seed));
        var validationSet = t.ValidationClips == 0 ? valid : valid.Take(t.ValidationClips).ToList();
        validationClips = EvaluationCrops.Fixed(validationSet, (int)Math.Round(t.ValidationSeconds * sampleRate)).ToList();
        melLoss = new MultiScaleMelLoss(sampleRate);
        stftLoss = new MultiResolutionStftLoss();
        log = new TrainingLog(runFolder);
    }

    /// <summary>
    /// Continues from <see cref="CheckpointPath"/> if it exists. Returns false for a fresh run.
    /// </summary>
    /// <exception cref="ConfigException">The checkpoint was trained with another config.</exception>
    public bool Resume()
    {
        if (!File.Exists(CheckpointPath)) return false;
        var saved = Checkpoint.ReadInfo(CheckpointPath);
        var difference = ConfigDifference(saved.Config, Config);
        if (difference is not null)
            throw new ConfigException($"{CheckpointPath}: the run was started with another config ({difference}); use a new --out folder.");
        var info = Checkpoint.Load(CheckpointPath, Model, Discriminator, generatorOptimizer, discriminatorOptimizer);
        crops.SetState(info.CropRngState);
        Step = info.Step;
        SetLearningRate();
        log.TruncateAfter(Step);
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
    /// <returns>The step's losses under their namespaced keys.</returns>
    public IReadOnlyDictionary<string, double> TrainOneStep()
    {
        var weights = Config.Loss;
        var adversarial = Config.Training.Adversarial && Step >= Config.Training.AdversarialWarmupSteps;
        var losses = new Dictionary<string, double>();
        using var scope = NewDisposeScope();
        using var batch = crops.Next();
        var audio = batch.Audio.to(device);
        var mask = batch.Mask.to(device);
        Model.train();
        // Padding past a short clip's end is not audio, so it must not be asked for.
        var reconstruction = Model.forward(audio) * mask;

        if (adversarial)
        {
            Discriminator.train();
            SetTrainable(Discriminator, true);
            var discriminatorLoss = GanLoss.Discriminator(Discriminator.forward(audio), Discriminator.forward(reconstruction.detach()));
            losses["adv/disc"] = EnsureFinite(discriminatorLoss, "adv/disc");
            discriminatorOptimizer.zero_grad();
            discriminatorLoss.backward();
            EnsureFinite(nn.utils.clip_grad_norm_(Discriminator.parameters(), Config.Training.DiscriminatorGradientClip), "discriminator gradient norm");
            discriminatorOptimizer.step();
        }

        var mel = melLoss.Forward(reconstruction, audio);
        var stft = stftLoss.Forward(reconstruction, audio);
        var total = mel * weights.Mel + stft * weights.Stft;
        losses["mel"] = EnsureFinite(mel, "mel");
        losses["stft"] = EnsureFinite(stft, "stft");
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
        generatorOptimizer.zero_grad();
        total.backward();
        EnsureFinite(nn.utils.clip_grad_norm_(Model.parameters(), Config.Training.GeneratorGradientClip), "generator gradient norm");
        generatorOptimizer.step();
        Step++;
        SetLearningRate();
        return losses;
    }

    /// <summary>Mean metrics of the model on fixed crops of the validation clips.</summary>
    public AudioMetricValues Validate(int batchSize = 8)
    {
        if (validationClips.Count == 0) return new AudioMetricValues(double.NaN, double.NaN, double.NaN, double.NaN);
        Model.eval();
        var rows = new List<AudioMetricValues>();
        using (no_grad())
        {
            foreach (var chunk in validationClips.Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                var audio = AudioTensors.ToBatch(chunk, chunk.Max(c => c.Length)).to(device);
                rows.AddRange(AudioMetrics.Compute(audio, Model.forward(audio), Config.Model.SampleRate));
            }
        }
        Model.train();
        return AudioMetrics.Mean(rows);
    }

    /// <summary>Writes <see cref="CheckpointPath"/> atomically.</summary>
    public void SaveCheckpoint()
    {
        var info = new CheckpointInfo(Config, Step, crops.GetState(), DateTime.UtcNow);
        Checkpoint.Save(CheckpointPath, info, Model, Discriminator, generatorOptimizer, discriminatorOptimizer);
        lastCheckpoint = CheckpointPath;
    }

    double CurrentLearningRate => Config.Training.LearningRate * Math.Pow(Config.Training.LearningRateDecay, Step);

    // Computing the decayed rate from the step keeps resume exact without saving a scheduler.
    void SetLearningRate()
    {
        foreach (var group in generatorOptimizer.ParamGroups) group.LearningRate = CurrentLearningRate;
        foreach (var group in discriminatorOptimizer.ParamGroups) group.LearningRate = CurrentLearningRate;
    }

    double EnsureFinite(Tensor value, string name) => EnsureFinite(value.item<float>(), name);

    double EnsureFinite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new TrainingDivergedException(Step + 1, $"{name} is {value}", lastCheckpoint);
        return value;
    }

    static void SetTrainable(nn.Module module, bool trainable)
    {
        foreach (var parameter in module.parameters()) parameter.requires_grad = trainable;
    }

    static Dictionary<string, double> ValidationRow(AudioMetricValues v) =>
        new() { ["mel"] = v.Mel, ["stft"] = v.Stft, ["si_sdr"] = v.SiSdr, ["snr"] = v.Snr };

    /// <summary>Names the sections that differ, ignoring the step count, which a resumed run may extend.</summary>
    static string? ConfigDifference(ExperimentConfig saved, ExperimentConfig current)
    {
        var a = saved with { Name = "", Training = saved.Training with { Steps = 0 } };
        var b = current with { Name = "", Training = current.Training with { Steps = 0 } };
        var differing = new List<string>();
        if (Json(a.Model) != Json(b.Model)) differing.Add("model");
        if (Json(a.Discriminator) != Json(b.Discriminator)) differing.Add("discriminator");
        if (Json(a.Loss) != Json(b.Loss)) differing.Add("loss");
        if (Json(a.Training) != Json(b.Training)) differing.Add("training");
        return differing.Count == 0 ? null : "differs in " + string.Join(", ", differing);
    }

    static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value, ExperimentConfig.Json);

    public void Dispose()
    {
        generatorOptimizer.Dispose();
        discriminatorOptimizer.Dispose();
        Model.Dispose();
        Discriminator.Dispose();
    }
}
