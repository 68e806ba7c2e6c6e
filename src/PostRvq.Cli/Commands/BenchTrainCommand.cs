using System.CommandLine;
using System.Diagnostics;
using PostRvq.Audio;
using PostRvq.Cli.Bench;
using PostRvq.Codecs;
using PostRvq.Native;
using PostRvq.Nn;
using PostRvq.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq bench train</c>: training steps/s (reconstruction-only and adversarial), their FLOPs and GFLOP/s against
/// the machine's sgemm rate, and the real-time factor of encode+decode.
/// </summary>
static class BenchTrainCommand
{
    public static Command Create()
    {
        var (config, steps, threads) = BenchCommand.TrainingOptions("tiny-cpu", 20);
        var rtfSeconds = new Option<double>("--rtf-seconds") { Description = "Length of the clip for the real-time factor", DefaultValueFactory = _ => 10.0 };
        var batchSize = new Option<int?>("--batch-size") { Description = "Override training.batchSize (paper-44k's 72 is for a GPU)" };
        var convolutions = new Option<string>("--convolutions")
        {
            Description = "auto: what the trainer chooses; onednn: oneDNN on even where inexact (timing only); native: ATen's kernels",
            DefaultValueFactory = _ => "auto",
        };
        convolutions.AcceptOnlyFromAmong("auto", "onednn", "native");
        var set = ConfigSetOption.Create();
        var command = new Command("train", "Training steps/s, FLOPs per step against sgemm, and encode+decode real-time factor")
        {
            config, steps, threads, rtfSeconds, batchSize, convolutions, set,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!, parse.GetValue(set));
            if (parse.GetValue(batchSize) is { } b) experiment = experiment with { Training = experiment.Training with { BatchSize = b } };
            experiment.Validate();
            var n = parse.GetValue(steps);
            var mode = parse.GetValue(convolutions)!;
            // First, with LibTorch's default convolutions as reconstruct and evaluate run them: inference has no backward for
            // oneDNN to get wrong, so --convolutions and the trainers' choices below are about training only.
            var rtf = RealTimeFactor(experiment, parse.GetValue(rtfSeconds));
            // The trainer never turns oneDNN back on once it is off, so "native" holds for every trainer below.
            if (mode == "native") LibTorchCpu.UseExactConvolutions();
            // glibc's default heap first: keeping freed pages cannot be undone in a process.
            var defaultHeapSeconds = StepSeconds(experiment, n, mode == "onednn");
            NativeHeap.KeepFreedPages();
            var seconds = StepSeconds(experiment, n, mode == "onednn");
            var chosen = CpuConvolutions.Current;
            // The adversarial steps above judge real and fake audio in one stacked pass, as train does; these judge them in two.
            var twoPassSeconds = TimedSteps(AdversarialOnly(experiment), n, mode == "onednn", judgeTogether: false);
            // The baseline last: once a process has turned oneDNN off, no later trainer in it turns it back on.
            Dictionary<bool, double?>? nativeSeconds = null;
            if (mode == "auto" && chosen is { OneDnn: true })
            {
                LibTorchCpu.UseExactConvolutions();
                nativeSeconds = StepSeconds(experiment, n, forceOneDnn: false);
            }
            // Counted after the trainers have set LibTorch's convolutions, so the count runs on the kernels they chose.
            var flops = TrainingStepFlops.For(experiment);
            var sgemm = SgemmFlopsPerSecond();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "median", "unit");
            table.AddRow("generator forward G (conv + linear + MDCT)", Gflop(flops.Generator), "GFLOP per batch");
            table.AddRow("discriminators forward D (conv)", Gflop(flops.Discriminators), "GFLOP per batch");
            foreach (var (adversarial, stepSeconds) in seconds)
            {
                var name = adversarial ? "adversarial step" : "reconstruction-only step";
                var stepFlops = adversarial ? flops.AdversarialStep : flops.ReconstructionStep;
                table.AddRow(Markup.Escape(adversarial ? $"{name} FLOPs, 3·G + 9·D [D step 3·2D; G pass: D(real) no-grad D + D(fake) fwd + input grad 2D]" : $"{name} FLOPs, 3·G [fwd + bwd = 3× fwd]"),
                    $"{stepFlops / 1e9:F2}", "GFLOP/step");
                if (stepSeconds is not { } t)
                {
                    table.AddRow(name, "diverged", "NaN or infinite gradients");
                    continue;
                }
                table.AddRow(name, $"{t:F3}", "s/step");
                if (defaultHeapSeconds[adversarial] is { } d)
                    table.AddRow($"{name}, glibc's default heap", $"{d:F3}", $"s/step: {d / t:F2}× the time with freed pages kept (as train does)");
                if (adversarial && twoPassSeconds is { } twoPass)
                    table.AddRow($"{name}, real and fake judged in two passes", $"{twoPass:F3}", $"s/step: {twoPass / t:F2}× the time of one stacked pass (as train does)");
                if (nativeSeconds?[adversarial] is { } native)
                    table.AddRow($"{name}, ATen's native convolutions", $"{native:F3}", $"s/step: {native / t:F2}× the time on oneDNN (as train chose)");
                table.AddRow(name.Replace("step", "rate"), $"{1 / t:F3}", "steps/s");
                table.AddRow($"{name} achieved", $"{stepFlops / t / 1e9:F2}", $"GFLOP/s = {stepFlops / t / sgemm:P1} of sgemm");
            }
            var (separateLosses, sharedLosses) = SpectralLossTiming.MedianSeconds(experiment, n);
            table.AddRow("mel + STFT losses, forward and backward, each loss's own STFTs", $"{separateLosses:F3}", "s/step");
            table.AddRow("mel + STFT losses, STFTs shared (as train does)", $"{sharedLosses:F3}", $"s/step: {separateLosses / sharedLosses:F2}× faster");
            table.AddRow("sgemm, 1024×1024 by 1024×1024 (median of 7)", $"{sgemm / 1e9:F1}", "GFLOP/s");
            table.AddRow("encode+decode real-time factor (as reconstruct runs)", $"{rtf:F4}", "s per s of audio");
            table.AddRow("encode+decode speed", $"{1 / rtf:F0}", "× faster than real time");
            table.AddRow("peak RSS", $"{Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0}", "MB");
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(experiment.Name)}[/], batch {experiment.Training.BatchSize} × {experiment.Training.CropSeconds} s, "
                + $"{get_num_threads()} threads, {n} measured steps each; {Markup.Escape(ConvolutionsInUse(mode, chosen))}");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("FLOPs are 2 × multiply-adds of Conv1d/ConvTranspose1d/Conv2d/Linear and the MDCT's basis products, counted from layer shapes; "
                + "losses, STFTs, norms and activations are not counted, so achieved GFLOP/s is a lower bound.");
            return 0;
        }));
        return command;
    }

    /// <summary>Median seconds of a reconstruction-only (false) and an adversarial (true) step; null where training diverged.</summary>
    static Dictionary<bool, double?> StepSeconds(ExperimentConfig experiment, int steps, bool forceOneDnn) =>
        new[] { false, true }.ToDictionary(adversarial => adversarial, adversarial => TimedSteps(
            adversarial ? AdversarialOnly(experiment) : experiment with { Training = experiment.Training with { Adversarial = false } }, steps, forceOneDnn));

    static ExperimentConfig AdversarialOnly(ExperimentConfig experiment) =>
        experiment with { Training = experiment.Training with { Adversarial = true, AdversarialWarmupSteps = 0 } };

    /// <summary>Median seconds per step, or null if training diverged (as oneDNN's wrong gradients can make it).</summary>
    /// <param name="judgeTogether">See <see cref="AdversarialTrainer.JudgeRealAndFakeTogether"/>.</param>
    static double? TimedSteps(ExperimentConfig config, int steps, bool forceOneDnn, bool judgeTogether = true)
    {
        try
        {
            return MedianStepSeconds(config, steps, forceOneDnn, judgeTogether);
        }
        catch (TrainingDivergedException)
        {
            return null;
        }
    }

    /// <param name="forceOneDnn">Turn oneDNN on after the trainer has chosen, to time it where the trainer would not use it.</param>
    static double MedianStepSeconds(ExperimentConfig config, int steps, bool forceOneDnn, bool judgeTogether)
    {
        var run = SyntheticRun.TempFolder();
        try
        {
            using var trainer = SyntheticRun.Trainer(config with { Training = config.Training with { Steps = steps + 2 } }, run);
            trainer.JudgeRealAndFakeTogether = judgeTogether;
            if (forceOneDnn) LibTorchCpu.UseOneDnnConvolutions();
            trainer.TrainOneStep();
            trainer.TrainOneStep();
            return BenchClock.MedianSeconds(steps, () => trainer.TrainOneStep());
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    static string ConvolutionsInUse(string mode, ConvolutionChoice? chosen) => mode switch
    {
        "onednn" => "convolutions: oneDNN forced on (timing only; gradients may be wrong)",
        _ => chosen?.Summary ?? "convolutions: LibTorch default",
    };

    static string Gflop(ForwardFlops flops) =>
        $"{flops.Total / 1e9:F3} ({flops.Convolution / 1e9:F3} + {flops.Linear / 1e9:F3} + {flops.Mdct / 1e9:F3})";

    /// <summary>Median FLOP/s of a 1024³ float32 matrix product with the current thread count, after one warm-up.</summary>
    static double SgemmFlopsPerSecond()
    {
        const int size = 1024;
        using var a = randn(size, size);
        using var b = randn(size, size);
        a.mm(b).Dispose();
        return 2.0 * size * size * size / BenchClock.MedianSeconds(7, () => a.mm(b).Dispose());
    }

    /// <summary>Median over 3 runs of encode+decode seconds per second of a synthetic clip of <paramref name="seconds"/>.</summary>
    static double RealTimeFactor(ExperimentConfig config, double seconds)
    {
        manual_seed(0);
        using var model = Autoencoder.Create(config.Model);
        var clip = SyntheticAudio.Clip(seconds, config.Model.SampleRate, seed: 1);
        return BenchClock.MedianSeconds(3, () => Reconstruction.Run(model, clip)) / seconds;
    }
}
