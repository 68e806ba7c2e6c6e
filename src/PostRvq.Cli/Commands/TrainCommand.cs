using System.CommandLine;
using PostRvq.Data;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary><c>postrvq train</c>: trains the continuous autoencoder, resuming when the run folder has a checkpoint.</summary>
static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Preset name (tiny-cpu, paper-44k, ...) or a config JSON file", Required = true };
        var data = new Option<string>("--data") { Description = "Corpus folder, manifest.jsonl, or a plain folder of audio", Required = true };
        var output = new Option<string>("--out") { Description = "Run folder (runs/NAME); resumes if it has a checkpoint", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Override training.steps" };
        var adversarial = new Option<bool?>("--adversarial") { Description = "Override training.adversarial (true/false)" };
        var threads = new Option<int?>("--threads") { Description = "Torch CPU threads (default: all cores)" };
        var set = ConfigSetOption.Create();
        var command = new Command("train", "Train the continuous autoencoder (step 1 of the paper)") { config, data, output, steps, adversarial, threads, set };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!, parse.GetValue(set));
            if (parse.GetValue(steps) is { } s) experiment = experiment with { Training = experiment.Training with { Steps = s } };
            if (parse.GetValue(adversarial) is { } a) experiment = experiment with { Training = experiment.Training with { Adversarial = a } };
            experiment.Validate();
            if (parse.GetValue(threads) is { } n) TorchSharp.torch.set_num_threads(n);
            return Train(experiment, parse.GetValue(data)!, parse.GetValue(output)!);
        }));
        return command;
    }

    static int Train(ExperimentConfig config, string dataPath, string runFolder)
    {
        var (train, valid) = LoadSplits(config.Name, dataPath, config.Model.SampleRate, runFolder);
        using var trainer = new ContinuousTrainer(config, train, valid, runFolder);
        RunWithProgress(trainer);
        return 0;
    }

    /// <summary>
    /// Loads the training and validation splits of <paramref name="dataPath"/> at <paramref name="sampleRate"/> and
    /// prints what will be trained.
    /// </summary>
    internal static (IReadOnlyList<Audio.AudioClip> Train, IReadOnlyList<Audio.AudioClip> Valid) LoadSplits(string name, string dataPath, int sampleRate, string runFolder)
    {
        var corpus = Corpus.Load(dataPath);
        var train = corpus.Split("train").LoadAll(sampleRate);
        var valid = corpus.Split("valid").LoadAll(sampleRate);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: {train.Count} training clips "
            + $"({train.Sum(c => c.DurationSeconds) / 60:F1} min), {valid.Count} validation clips, run folder {Markup.Escape(runFolder)}");
        return (train, valid);
    }

    /// <summary>
    /// Resumes <paramref name="trainer"/> if its run folder has a checkpoint, writes config.json, and trains with a
    /// progress display; Ctrl+C saves a checkpoint and stops. When <paramref name="budget"/> runs out, the run is
    /// checkpointed, validated and treated as finished at the step it reached. Returns the result, or null when
    /// stopped by the user.
    /// </summary>
    internal static TrainResult? RunWithProgress(AdversarialTrainer trainer, TimeSpan? budget = null)
    {
        var config = trainer.Config;
        if (trainer.Resume()) AnsiConsole.MarkupLine($"Resuming from step {trainer.Step} of {config.Training.Steps}.");
        IO.AtomicFile.WriteAllText(Path.Combine(trainer.RunFolder, "config.json"), config.ToJson());

        using var cancellation = new CancellationTokenSource();
        if (budget is { } limit) cancellation.CancelAfter(limit);
        var userStopped = false;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            userStopped = true;
            cancellation.Cancel();
            Console.Error.WriteLine("Stopping after this step; the checkpoint will be saved.");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var result = TrainingProgress.Show(config.Training.Steps, trainer.Step, progress => trainer.Run(progress, cancellation.Token));
            if (!result.Completed && !userStopped && budget is not null)
            {
                AnsiConsole.MarkupLine($"The time budget ran out at step {result.Step} of {config.Training.Steps}; finishing the run there.");
                result = result with { Completed = true, LastValidation = trainer.Validate() };
            }
            AnsiConsole.MarkupLine(result.Completed
                ? $"[green]Done[/]: {result.Step} steps in {result.WallTime:hh\\:mm\\:ss}. Checkpoint: {Markup.Escape(trainer.CheckpointPath)}"
                : $"Stopped at step {result.Step}; rerun the same command to resume.");
            if (result.LastValidation is { } v)
                AnsiConsole.MarkupLine($"Validation: mel {v.Mel:F3}, STFT {v.Stft:F3}, SI-SDR {v.SiSdr:F2} dB, SNR {v.Snr:F2} dB");
            return result.Completed ? result : null;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
