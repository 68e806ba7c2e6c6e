using System.CommandLine;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Metrics;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary><c>postrvq export</c>: turns a training checkpoint into a small .model file, scored on a test split.</summary>
static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A run folder or its checkpoint.ckpt", Required = true };
        var output = OutOption.File(".model");
        var data = DataOption.Create("its test split scores the model (optional)", optional: true);
        var command = new Command("export", "Write a checkpoint's autoencoder as a .model file") { checkpoint, output, data };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            CliErrors.RequireExists(parse.GetValue(checkpoint)!, "--checkpoint");
            var outPath = new OutputGuard().ReadsModel("--checkpoint", parse.GetValue(checkpoint)).ReadsCorpus("--data", parse.GetValue(data))
                .WritesFile("--out", parse.GetValue(output)!);
            var (model, info) = ModelFile.Load(parse.GetValue(checkpoint)!);
            using var _ = model;
            if (parse.GetValue(data) is { } corpusPath)
            {
                var rows = EvaluateCommand.Evaluate(model, Corpus.Load(corpusPath).Split("test"));
                MetricsTable.Print("test split", rows);
                info = info with { TrainedOn = corpusPath, TestMetrics = AudioMetrics.Mean(rows.Select(r => r.Values)) };
            }
            ModelFile.Save(outPath, model, info);
            AnsiConsole.MarkupLine($"Wrote {Markup.Escape(outPath)} ({new FileInfo(outPath).Length / 1024.0 / 1024:F1} MB).");
            return 0;
        }));
        return command;
    }
}
