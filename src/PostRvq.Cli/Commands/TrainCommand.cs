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
        var config = ConfigOption.Create();
        var data = DataOption.Create();
        var output = OutOption.RunFolder();
        var steps = new Option<int?>("--steps") { Description = "Override training.steps" };
        var adversarial = new Option<bool?>("--adversarial") { Description = "Override training.adversarial (true/false)" };
        var threads = ThreadsOption.Create();
        var set = ConfigSetOption.Create();
        var command = new Command("train", "Train the continuous autoencoder (step 1 of the paper)") { config, data, output, steps, adversarial, threads, set };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!, parse.GetValue(set));
            if (parse.GetValue(steps) is { } s) experiment = experiment with { Training = experiment.Training with { Steps = s } };
            if (parse.GetValue(adversarial) is { } a) experiment = experiment with { Training = experiment.Training with { Adversarial = a } };
            experiment.Validate();
            ThreadsOption.Apply(parse, threads);
            var runFolder = GuardRunFolder(new OutputGuard().ReadsFile("--config", parse.GetValue(config), "config"), parse.GetValue(data)!, parse.GetValue(output)!);
            return Train(experiment, parse.GetValue(data)!, runFolder);
        }));
        return command;
    }

    static int Train(ExperimentConfig config, string dataPath, string runFolder)
    {
        using var runLock = LockRunFolder(runFolder);
        var (train, valid) = LoadSplits(config.Name, dataPath, config.Model.SampleRate, runFolder, config.Training.CropSeconds);
        using var trainer = new ContinuousTrainer(config, train, valid, runFolder);
        return RunWithProgress(trainer).ExitCode;
    }

    /// <summary>Refuses a run folder that would overwrite an input of <paramref name="guard"/> or sit inside the corpus.</summary>
    internal static string GuardRunFolder(OutputGuard guard, string dataPath, string runFolder) =>
        guard.ReadsCorpus("--data", dataPath).WritesInto("--out", runFolder, Checkpoint.FileName, ConfigFileName, TrainingLog.FileName);

    /// <summary>The config a run folder's training wrote, beside its checkpoint.</summary>
    internal const string ConfigFileName = "config.json";

    /// <summary>
    /// Locks <paramref name="runFolder"/> for this process (a second run there is refused with this one's PID) and
    /// reports the temp files of killed checkpoint writes that were cleaned up.
    /// </summary>
    internal static RunFolderLock LockRunFolder(string runFolder)
    {
        var runLock = RunFolderLock.Acquire(runFolder);
        if (runLock.RemovedTemps.Count > 0)
            AnsiConsole.MarkupLine(Markup.Escape($"Removed {runLock.RemovedTemps.Count} temp file(s) that interrupted writes left in {runFolder}: "
                + string.Join(", ", runLock.RemovedTemps)));
        return runLock;
    }

    /// <summary>
    /// Loads the training and validation splits of <paramref name="dataPath"/> at <paramref name="sampleRate"/>, refuses
    /// a crop of <paramref name="cropSeconds"/> longer than every training clip (naming the longest), and prints what
    /// will be trained.
    /// </summary>
    internal static (IReadOnlyList<Audio.AudioClip> Train, IReadOnlyList<Audio.AudioClip> Valid) LoadSplits(string name, string dataPath, int sampleRate,
        string runFolder, double cropSeconds)
    {
        var corpus = Corpus.Load(dataPath);
        var train = corpus.Split("train").LoadAll(sampleRate);
        RequireAudio(corpus.Split("train"), train);
        TrainingCrops.RequireFits(train, cropSeconds, [.. corpus.Split("train").Entries.Select(e => e.Id)]);
        var valid = corpus.Split("valid").LoadAll(sampleRate);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: {train.Count} training clips "
            + $"({train.Sum(c => c.DurationSeconds) / 60:F1} min), {valid.Count} validation clips, run folder {Markup.Escape(runFolder)}");
        return (train, valid);
    }

    /// <summary>Refuses a training clip with no samples by its file: random crops cannot be drawn from it.</summary>
    static void RequireAudio(Corpus split, IReadOnlyList<Audio.AudioClip> clips)
    {
        for (var i = 0; i < clips.Count; i++)
            if (clips[i].Length == 0)
                throw new CorpusException($"{split.FullPath(split.Entries[i])}: training clip '{split.Entries[i].Id}' holds no samples; remove it from the corpus.");
    }

    /// <summary>How a training run under the CLI ended: its result, and 0, or 130 / 143 when a signal stopped it.</summary>
    internal sealed record TrainingRun(TrainResult Result, int ExitCode)
    {
        /// <summary>Trained to the end (or to the time budget) with no signal: the caller may export and evaluate.</summary>
        public bool Finished => ExitCode == 0 && Result.Completed;
    }

    /// <summary>
    /// Resumes <paramref name="trainer"/> if its run folder has a checkpoint, writes config.json, and trains with a
    /// progress display. Ctrl+C (SIGINT) and SIGTERM save a checkpoint and stop, with exit code 130 or 143. When
    /// <paramref name="budget"/> runs out, the run is checkpointed, validated and treated as finished at the step it
    /// reached.
    /// </summary>
    internal static TrainingRun RunWithProgress(AdversarialTrainer trainer, TimeSpan? budget = null)
    {
        var config = trainer.Config;
        if (trainer.Resume()) AnsiConsole.MarkupLine($"Resuming from step {trainer.Step} of {config.Training.Steps}.");
        if (trainer.UnparseableLogLines > 0)
            AnsiConsole.MarkupLine(Markup.Escape($"{trainer.LogPath}: dropped {trainer.UnparseableLogLines} unreadable line(s), "
                + "not JSON rows with a step (a crash can cut the last line short)."));
        IO.AtomicFile.WriteAllText(Path.Combine(trainer.RunFolder, ConfigFileName), config.ToJson());

        using var signals = new StopSignals();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(signals.Token);
        if (budget is { } limit) cancellation.CancelAfter(limit);
        var result = TrainingProgress.Show(config.Training.Steps, trainer.Step, progress => trainer.Run(progress, cancellation.Token));
        if (!result.Completed && !signals.Stopped && budget is not null)
        {
            AnsiConsole.MarkupLine($"The time budget ran out at step {result.Step} of {config.Training.Steps}; finishing the run there.");
            result = result with { Completed = true, LastValidation = trainer.Validate() };
        }
        AnsiConsole.MarkupLine(result.Completed && !signals.Stopped
            ? $"[green]Done[/]: {result.Step} steps in {result.WallTime:hh\\:mm\\:ss}. Checkpoint: {Markup.Escape(trainer.CheckpointPath)}"
            : $"Stopped at step {result.Step} with the checkpoint saved; rerun the same command to resume.");
        if (result.LastValidation is { } v)
            AnsiConsole.MarkupLine($"Validation: mel {v.Mel:F3}, STFT {v.Stft:F3}, SI-SDR {v.SiSdr:F2} dB, SNR {v.Snr:F2} dB");
        return new TrainingRun(result, signals.ExitCode);
    }
}
