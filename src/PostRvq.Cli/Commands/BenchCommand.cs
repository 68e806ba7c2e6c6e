using System.CommandLine;
using System.Diagnostics;
using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq bench</c>: speed and memory figures that do not belong in timed tests. <c>train</c> measures
/// training steps/s (reconstruction-only and adversarial) and the real-time factor of encode+decode;
/// <c>memory</c> trains for many steps and samples the resident set size, to show that native memory stays flat.
/// </summary>
static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks: training speed, real-time factor, memory over many steps");
        bench.Subcommands.Add(TrainBench());
        bench.Subcommands.Add(MemoryBench());
        return bench;
    }

    static (Option<string> Config, Option<int> Steps, Option<int> Threads) CommonOptions(string defaultConfig, int defaultSteps) => (
        new Option<string>("--config") { Description = "Preset or config file", DefaultValueFactory = _ => defaultConfig },
        new Option<int>("--steps") { Description = "Steps to measure", DefaultValueFactory = _ => defaultSteps },
        new Option<int>("--threads") { Description = "Torch CPU threads", DefaultValueFactory = _ => 2 });

    static Command TrainBench()
    {
        var (config, steps, threads) = CommonOptions("tiny-cpu", 20);
        var rtfSeconds = new Option<double>("--rtf-seconds") { Description = "Length of the clip for the real-time factor", DefaultValueFactory = _ => 10.0 };
        var batchSize = new Option<int?>("--batch-size") { Description = "Override training.batchSize (paper-44k's 72 is for a GPU)" };
        var command = new Command("train", "Training steps/s and encode+decode real-time factor") { config, steps, threads, rtfSeconds, batchSize };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            set_num_threads(parse.GetValue(threads));
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!);
            if (parse.GetValue(batchSize) is { } b) experiment = experiment with { Training = experiment.Training with { BatchSize = b } };
            experiment.Validate();
            var n = parse.GetValue(steps);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "median", "unit");
            foreach (var adversarial in new[] { false, true })
            {
                var seconds = MedianStepSeconds(experiment with { Training = experiment.Training with { Adversarial = adversarial, AdversarialWarmupSteps = 0 } }, n);
                var name = adversarial ? "adversarial step" : "reconstruction-only step";
                table.AddRow(name, $"{seconds:F3}", "s/step");
                table.AddRow(name.Replace("step", "rate"), $"{1 / seconds:F3}", "steps/s");
            }
            table.AddRow("encode+decode real-time factor", $"{RealTimeFactor(experiment, parse.GetValue(rtfSeconds)):F3}", "s per s of audio");
            table.AddRow("peak RSS", $"{Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0}", "MB");
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(experiment.Name)}[/], batch {experiment.Training.BatchSize} × {experiment.Training.CropSeconds} s, "
                + $"{get_num_threads()} threads, {n} measured steps each");
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    static Command MemoryBench()
    {
        var (config, steps, threads) = CommonOptions("bench-tiny", 2000);
        var every = new Option<int>("--every") { Description = "Sample RSS every N steps", DefaultValueFactory = _ => 100 };
        var csv = new Option<string?>("--csv") { Description = "Write step,rss_mb rows to this file" };
        var command = new Command("memory", "Resident memory over many training steps") { config, steps, threads, every, csv };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            set_num_threads(parse.GetValue(threads));
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!);
            var total = parse.GetValue(steps);
            var interval = parse.GetValue(every);
            experiment = experiment with { Training = experiment.Training with { Steps = total, ValidateEvery = total, CheckpointEvery = total } };
            var run = TempRunFolder();
            var samples = new List<(long Step, double Mb)>();
            var process = Process.GetCurrentProcess();
            var clock = Stopwatch.StartNew();
            using (var trainer = SyntheticTrainer(experiment, run))
                trainer.Run(new SynchronousProgress<TrainStep>(step =>
                {
                    if (step.IsValidation || step.Step % interval != 0) return;
                    process.Refresh();
                    samples.Add((step.Step, process.WorkingSet64 / 1048576.0));
                    Console.WriteLine($"step {step.Step,6}  RSS {samples[^1].Mb,8:F1} MB  {step.StepsPerSecond:F2} steps/s");
                }));
            Directory.Delete(run, recursive: true);
            var secondHalf = samples.Where(s => s.Step > total / 2).ToList();
            var slope = Slope(secondHalf) * 1000;
            AnsiConsole.MarkupLine($"{total} steps in {clock.Elapsed:hh\\:mm\\:ss}; RSS min {samples.Min(s => s.Mb):F0} MB, max {samples.Max(s => s.Mb):F0} MB, "
                + $"end {samples[^1].Mb:F0} MB; trend over the second half {slope:+0.0;-0.0} MB per 1,000 steps; peak {process.PeakWorkingSet64 / 1048576.0:F0} MB");
            if (parse.GetValue(csv) is { } path)
                IO.AtomicFile.WriteAllText(path, "step,rss_mb\n" + string.Join('\n', samples.Select(s => $"{s.Step},{s.Mb:F1}")) + '\n');
            return 0;
        }));
        return command;
    }

    static double MedianStepSeconds(ExperimentConfig config, int steps)
    {
        var run = TempRunFolder();
        try
        {
            using var trainer = SyntheticTrainer(config with { Training = config.Training with { Steps = steps + 2 } }, run);
            trainer.TrainOneStep();
            trainer.TrainOneStep();
            var times = new List<double>();
            for (var i = 0; i < steps; i++)
            {
                var clock = Stopwatch.StartNew();
                trainer.TrainOneStep();
                times.Add(clock.Elapsed.TotalSeconds);
            }
            return Median(times);
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    static double RealTimeFactor(ExperimentConfig config, double seconds)
    {
        manual_seed(0);
        using var model = Nn.Autoencoder.Create(config.Model);
        var clip = SyntheticAudio.Clip(seconds, config.Model.SampleRate, seed: 1);
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            Reconstruction.Run(model, clip);
            times.Add(clock.Elapsed.TotalSeconds / seconds);
        }
        return Median(times);
    }

    static ContinuousTrainer SyntheticTrainer(ExperimentConfig config, string run)
    {
        var sampleRate = config.Model.SampleRate;
        return new ContinuousTrainer(config, SyntheticAudio.Clips(16, 4, sampleRate), SyntheticAudio.Clips(4, 2, sampleRate, seed: 1), run);
    }

    static string TempRunFolder() => Path.Combine(Path.GetTempPath(), "postrvq-bench-" + Guid.NewGuid().ToString("N"));

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Least-squares slope of MB per step.</summary>
    static double Slope(List<(long Step, double Mb)> points)
    {
        if (points.Count < 2) return 0;
        var meanX = points.Average(p => (double)p.Step);
        var meanY = points.Average(p => p.Mb);
        return points.Sum(p => (p.Step - meanX) * (p.Mb - meanY)) / points.Sum(p => (p.Step - meanX) * (p.Step - meanX));
    }
}
