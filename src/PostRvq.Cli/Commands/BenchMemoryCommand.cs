using System.CommandLine;
using System.Diagnostics;
using MathNet.Numerics;
using PostRvq.Cli.Bench;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq bench memory</c>: trains for many steps and samples the resident set size, to show that native memory
/// stays flat.
/// </summary>
static class BenchMemoryCommand
{
    public static Command Create()
    {
        var (config, steps, threads) = BenchCommand.TrainingOptions("bench-tiny", 2000);
        var every = new Option<int>("--every") { Description = "Sample RSS every N steps", DefaultValueFactory = _ => 100 };
        var csv = new Option<string?>("--csv") { Description = "Write step,rss_mb rows to this file" };
        var command = new Command("memory", "Resident memory over many training steps") { config, steps, threads, every, csv };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            if (parse.GetValue(csv) is { } csvPath) new OutputGuard().ReadsFile("--config", parse.GetValue(config), "config").WritesFile("--csv", csvPath);
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!);
            var total = parse.GetValue(steps);
            var interval = parse.GetValue(every);
            experiment = experiment with { Training = experiment.Training with { Steps = total, ValidateEvery = total, CheckpointEvery = total } };
            var run = SyntheticRun.TempFolder();
            var samples = new List<(long Step, double Mb)>();
            var process = Process.GetCurrentProcess();
            var clock = Stopwatch.StartNew();
            using (var trainer = SyntheticRun.Trainer(experiment, run))
                trainer.Run(new SynchronousProgress<TrainStep>(step =>
                {
                    if (step.IsValidation || step.Step % interval != 0) return;
                    process.Refresh();
                    samples.Add((step.Step, process.WorkingSet64 / 1048576.0));
                    Console.WriteLine($"step {step.Step,6}  RSS {samples[^1].Mb,8:F1} MB  {step.StepsPerSecond:F2} steps/s");
                }));
            Directory.Delete(run, recursive: true);
            var secondHalf = samples.Where(s => s.Step > total / 2).ToList();
            var slope = MbPerStep(secondHalf) * 1000;
            AnsiConsole.MarkupLine($"{total} steps in {clock.Elapsed:hh\\:mm\\:ss}; RSS min {samples.Min(s => s.Mb):F0} MB, max {samples.Max(s => s.Mb):F0} MB, "
                + $"end {samples[^1].Mb:F0} MB; trend over the second half {slope:+0.0;-0.0} MB per 1,000 steps; peak {process.PeakWorkingSet64 / 1048576.0:F0} MB");
            if (parse.GetValue(csv) is { } path)
                IO.AtomicFile.WriteAllText(path, "step,rss_mb\n" + string.Join('\n', samples.Select(s => $"{s.Step},{s.Mb:F1}")) + '\n');
            return 0;
        }));
        return command;
    }

    /// <summary>The least-squares slope of RSS in MB per step; 0 with fewer than two samples, where no line is defined.</summary>
    static double MbPerStep(IReadOnlyList<(long Step, double Mb)> samples) =>
        samples.Count < 2 ? 0 : Fit.Line([.. samples.Select(s => (double)s.Step)], [.. samples.Select(s => s.Mb)]).B;
}
