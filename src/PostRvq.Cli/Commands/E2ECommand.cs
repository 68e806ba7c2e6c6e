using System.CommandLine;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Metrics;
using PostRvq.Quantization;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq e2e</c>: trains the end-to-end RVQ baseline (same encoder and decoder, RVQ in the loop); writes
/// <c>OUT/e2e.model</c> and <c>OUT/e2e.quantizer</c> when done, and resumes like <c>postrvq train</c>.
/// </summary>
static class E2ECommand
{
    public static Command Create()
    {
        var config = ConfigOption.Create();
        var data = DataOption.Create();
        var output = OutOption.RunFolder();
        var steps = new Option<int?>("--steps") { Description = "Override training.steps" };
        var evaluate = new Option<bool>("--evaluate") { Description = "Score the codec at full depth on the test split when done" };
        var threads = ThreadsOption.Create();
        var modelOut = new Option<string?>("--model-out") { Description = "Where to write the .model (its .quantizer goes next to it); default OUT/e2e.model" };
        var minutes = new Option<double?>("--max-minutes") { Description = "Stop after this much training time and finish the run at the step reached" };
        var set = ConfigSetOption.Create();
        var command = new Command("e2e", "Train the end-to-end RVQ baseline with the continuous model's architecture") { config, data, output, steps, evaluate, threads, minutes, set, modelOut };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!, parse.GetValue(set));
            if (parse.GetValue(steps) is { } s) experiment = experiment with { Training = experiment.Training with { Steps = s } };
            experiment.Validate();
            ThreadsOption.Apply(parse, threads);
            var runFolder = parse.GetValue(output)!;
            var modelPath = parse.GetValue(modelOut) ?? Path.Combine(runFolder, "e2e" + ModelFile.Extension);
            var guard = new OutputGuard().ReadsFile("--config", parse.GetValue(config), "config");
            TrainCommand.GuardRunFolder(guard, parse.GetValue(data)!, runFolder);
            guard.WritesFile("--model-out", modelPath);
            guard.WritesFile("--model-out", Path.ChangeExtension(modelPath, QuantizerFile.Extension));
            using var runLock = TrainCommand.LockRunFolder(runFolder);
            var (train, valid) = TrainCommand.LoadSplits(experiment.Name + " E2E", parse.GetValue(data)!, experiment.Model.SampleRate, runFolder, experiment.Training.CropSeconds);
            using var trainer = new E2ETrainer(experiment, train, valid, runFolder);
            AnsiConsole.MarkupLine($"In-loop RVQ: {experiment.E2E.Codebooks} x {experiment.E2E.CodebookSize} ({trainer.FullKbps:G4} kbps at full depth), "
                + $"quantizer dropout {experiment.E2E.QuantizerDropout}, {(experiment.E2E.Factorized ? $"factorized {experiment.E2E.CodeDim}-d codes" : "plain codes")}, "
                + (experiment.E2E.Ema ? "EMA codebooks" : "codebook loss"));
            var budget = parse.GetValue(minutes) is { } m ? TimeSpan.FromMinutes(m) : (TimeSpan?)null;
            if (TrainCommand.RunWithProgress(trainer, budget) is { Finished: false } stopped) return stopped.ExitCode;
            AudioMetricValues? metrics = null;
            if (parse.GetValue(evaluate))
            {
                var rows = FinetuneCommand.Evaluate(trainer.Model, trainer.ExportQuantizer(), Corpus.Load(parse.GetValue(data)!).Split("test"));
                MetricsTable.Print($"E2E, {trainer.FullKbps:G4} kbps, test split", rows);
                metrics = AudioMetrics.Mean(rows.Select(r => r.Values));
            }
            var info = trainer.SaveModel(modelPath, parse.GetValue(data)!, metrics);
            AnsiConsole.MarkupLine($"Wrote {Markup.Escape(modelPath)} and {Markup.Escape(info.Quantizer!)}.");
            return 0;
        }));
        return command;
    }
}
