using System.CommandLine;
using System.Globalization;
using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Metrics;
using PostRvq.Nn;
using PostRvq.Quantization;
using PostRvq.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq finetune</c>: step 3 of the paper, the decoder finetuned behind a frozen encoder and quantizer; writes
/// <c>OUT/finetuned.model</c> and <c>OUT/finetuned.quantizer</c> when done, and resumes like <c>postrvq train</c>.
/// </summary>
static class FinetuneCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Step-1 .model file, checkpoint or run folder (a checkpoint also gives the discriminators)", Required = true };
        var quantizer = new Option<string>("--quantizer") { Description = "A fitted .quantizer of the model's latents", Required = true };
        var data = DataOption.Create();
        var output = OutOption.RunFolder();
        var config = ConfigOption.Create(optional: true, role: "default: the checkpoint's config, or the model's preset");
        var kbps = new Option<double?>("--kbps") { Description = "Override finetune.kbps (the bitrate to finetune and validate at)" };
        var kbpsSet = new Option<string?>("--kbps-set") { Description = "Override finetune.kbpsSet: comma-separated bitrates sampled per batch, e.g. 3,10,16,24" };
        var steps = new Option<int?>("--steps") { Description = "Override finetune.steps" };
        var fit = new Option<bool>("--fit-quantizer") { Description = "If --quantizer does not exist, fit a standardized RVQ (32 x 1024) on the train split's latents and save it there" };
        var evaluate = new Option<bool>("--evaluate") { Description = "Score the codec before and after finetuning on the test split" };
        var threads = ThreadsOption.Create();
        var modelOut = new Option<string?>("--model-out") { Description = "Where to write the .model (its .quantizer goes next to it); default OUT/finetuned.model" };
        var minutes = new Option<double?>("--max-minutes") { Description = "Stop after this much training time and finish the run at the step reached" };
        var command = new Command("finetune", "Finetune the decoder on quantized latents (step 3 of the paper)")
            { model, quantizer, data, output, config, kbps, kbpsSet, steps, fit, evaluate, threads, minutes, modelOut };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            CliErrors.RequireExists(parse.GetValue(model)!, "--model");
            ThreadsOption.Apply(parse, threads);
            using var source = FinetuneSource.Load(parse.GetValue(model)!);
            var experiment = ConfigFor(source, parse.GetValue(config));
            var finetune = experiment.Finetune;
            if (parse.GetValue(kbps) is { } k) finetune = finetune with { Kbps = k };
            if (parse.GetValue(kbpsSet) is { } set) finetune = finetune with { KbpsSet = [.. QuantizeCommand.ParseKbps(set, "--kbps-set")] };
            if (parse.GetValue(steps) is { } s) finetune = finetune with { Steps = s };
            experiment = experiment with { Finetune = finetune };
            experiment.Validate();
            var runFolder = parse.GetValue(output)!;
            var quantizerPath = parse.GetValue(quantizer)!;
            var modelPath = parse.GetValue(modelOut) ?? Path.Combine(runFolder, "finetuned" + ModelFile.Extension);
            var guard = new OutputGuard().ReadsModel("--model", parse.GetValue(model)).ReadsFile("--quantizer", quantizerPath, "quantizer")
                .ReadsFile("--config", parse.GetValue(config), "config");
            TrainCommand.GuardRunFolder(guard, parse.GetValue(data)!, runFolder);
            guard.WritesFile("--model-out", modelPath);
            guard.WritesFile("--model-out", Path.ChangeExtension(modelPath, QuantizerFile.Extension));
            using var runLock = TrainCommand.LockRunFolder(runFolder);
            var (train, valid) = TrainCommand.LoadSplits(experiment.Name + " finetuning", parse.GetValue(data)!, source.Model.Options.SampleRate, runFolder,
                experiment.Training.CropSeconds);
            if (!File.Exists(quantizerPath) && parse.GetValue(fit)) FitStandardizedRvq(source.Model, train, guard.WritesFile("--quantizer", quantizerPath));
            CliErrors.RequireExists(quantizerPath, "--quantizer");
            var fitted = QuantizerFile.Load(quantizerPath);
            using var trainer = new FinetuneTrainer(experiment, source, fitted, train, valid, runFolder);
            AnsiConsole.MarkupLine($"Discriminators: {Markup.Escape(trainer.DiscriminatorSource)}. Bitrates: "
                + string.Join(", ", trainer.Bitrates.Select(b => $"{b.Kbps} kbps ({b.Quantizer.Codebooks} codebooks)")));
            if (!File.Exists(trainer.CheckpointPath) && trainer.Validate() is var v)
                AnsiConsole.MarkupLine($"Before finetuning, at {finetune.Kbps} kbps: validation mel {v.Mel:F3}, STFT {v.Stft:F3}, SI-SDR {v.SiSdr:F2} dB, SNR {v.Snr:F2} dB");
            var budget = parse.GetValue(minutes) is { } m ? TimeSpan.FromMinutes(m) : (TimeSpan?)null;
            if (TrainCommand.RunWithProgress(trainer, budget) is { Finished: false } stopped) return stopped.ExitCode;
            AudioMetricValues? metrics = null;
            if (parse.GetValue(evaluate))
            {
                var test = Corpus.Load(parse.GetValue(data)!).Split("test");
                var validationQuantizer = trainer.Bitrates.FirstOrDefault(b => b.Kbps == finetune.Kbps).Quantizer ?? fitted;
                MetricsTable.Print($"before finetuning, {finetune.Kbps} kbps, test split", Evaluate(source.Model, validationQuantizer, test));
                var after = Evaluate(trainer.Model, validationQuantizer, test);
                MetricsTable.Print($"after {trainer.Step} finetuning steps, {finetune.Kbps} kbps, test split", after);
                metrics = AudioMetrics.Mean(after.Select(r => r.Values));
            }
            var info = trainer.SaveModel(modelPath, parse.GetValue(data)!, metrics);
            AnsiConsole.MarkupLine($"Wrote {Markup.Escape(modelPath)} and {Markup.Escape(info.Quantizer!)} ({info.Steps} steps in all, {info.FinetuneSteps} finetuning).");
            return 0;
        }));
        return command;
    }

    static ExperimentConfig ConfigFor(FinetuneSource source, string? config)
    {
        if (config is not null) return ExperimentConfig.Load(config);
        if (source.DiscriminatorCheckpoint is { } checkpoint) return Checkpoint.ReadInfo(checkpoint).Config;
        ExperimentConfig preset;
        try
        {
            preset = ExperimentConfig.Load(source.Info.Config);
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"The model was trained with config '{source.Info.Config}', which is not a preset; pass --config. ({e.Message})");
        }
        // A preset may change family after a model was trained with it (tiny-cpu went from waveform to mdct).
        if (preset.Model.Kind != source.Info.Options.Kind)
            throw new ConfigException($"The model is a {source.Info.Options.Kind} model, but the preset '{source.Info.Config}' it names is now {preset.Model.Kind}; pass --config (e.g. tiny-cpu-waveform).");
        return preset;
    }

    /// <summary>Fits the paper's standardized RVQ (32 stages of 1024) on the latents of every training clip and saves it.</summary>
    static void FitStandardizedRvq(Autoencoder model, IReadOnlyList<AudioClip> train, string path)
    {
        // k-means sees at most 64 points per centroid (65,536 frames), so clips spread over the split up to
        // about twice that many frames fit as well as all of them, in a fraction of the encoding time.
        var wantedFrames = 2 * 64 * 1024 * model.Options.HopLength;
        var totalSamples = train.Sum(c => (long)c.Length);
        var every = Math.Max(1, (int)(totalSamples / wantedFrames));
        var clips = train.Where((_, i) => i % every == 0).ToList();
        AnsiConsole.MarkupLine($"Encoding {clips.Count} of {train.Count} training clips for the quantizer fit...");
        var latents = new List<Tensor>();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            model.eval();
            foreach (var clip in clips)
            {
                // Each clip's activations are freed before the next; only its latent frames [T', D] are kept.
                using var clipScope = NewDisposeScope();
                var audio = AudioTensors.ToBatch([clip], clip.Length);
                latents.Add(model.Encode(audio).squeeze(0).t().contiguous().MoveToOuterDisposeScope());
            }
        }
        var frames = cat(latents, 0);
        AnsiConsole.MarkupLine($"Fitting a standardized RVQ (32 x 1024) on {frames.shape[0]} latent frames...");
        // 64 points per centroid keeps the fit to minutes on a CPU; faiss's default of 256 changes little for RVQ stages.
        var quantizer = new StandardizedRvq(model.Options.LatentDim, new RvqOptions { KMeans = new KMeansOptions { MaxPointsPerCluster = 64, Iterations = 15 } })
        {
            Provenance =
            {
                ["fittedOn"] = $"{clips.Count} of {train.Count} training clips, {frames.shape[0]} frames",
                ["modelId"] = ModelFile.IdOf(model),
            },
        };
        quantizer.Fit(frames, new SynchronousProgress<FitProgress>(p =>
        {
            if (p.Detail.StartsWith("stage", StringComparison.Ordinal)) Console.WriteLine($"  {p.Detail}");
        }));
        quantizer.Save(path);
        AnsiConsole.MarkupLine($"Saved {Markup.Escape(path)}.");
    }

    /// <summary>
    /// Reconstructs every clip of <paramref name="split"/> through Decode(Quantize(Encode(x))) and scores it, skipping
    /// (and naming) the clips too short for the metrics.
    /// </summary>
    internal static List<(string Clip, double Seconds, AudioMetricValues Values)> Evaluate(Autoencoder model, IQuantizer quantizer, Corpus split)
    {
        model.eval();
        return ScorableClips.ScoreSplit(split, model.Options.SampleRate, clip =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var audio = AudioTensors.ToBatch([clip], clip.Length);
            var decoded = model.Decode(quantizer.Quantize(model.Encode(audio)).Quantized).narrow(-1, 0, clip.Length);
            return new AudioClip(decoded.reshape(-1).data<float>().ToArray(), clip.SampleRate);
        });
    }
}
