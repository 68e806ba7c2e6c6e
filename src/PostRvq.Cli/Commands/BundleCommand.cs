using System.CommandLine;
using PostRvq.Codecs;
using PostRvq.Quantization;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary><c>postrvq bundle</c>: packs a model and the quantizer fitted on its latents into one <c>.codec</c> file.</summary>
static class BundleCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A .model file, a checkpoint, or a run folder", Required = true };
        var quantizer = new Option<string?>("--quantizer") { Description = "A .quantizer file fitted on the model's latents (none: a continuous codec)" };
        var kind = new Option<string?>("--kind") { Description = $"One of {string.Join(", ", Codec.Kinds)} (default: postrvq with a quantizer, else continuous)" };
        var output = OutOption.File(".codec", shortAlias: true);
        var command = new Command("bundle", "Write a model and its quantizer as one .codec file") { model, quantizer, kind, output };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var (modelPath, quantizerPath, outputPath) = (parse.GetValue(model)!, parse.GetValue(quantizer), parse.GetValue(output)!);
            CliErrors.RequireExists(modelPath, "--model");
            if (quantizerPath is not null) CliErrors.RequireExists(quantizerPath, "--quantizer");
            new OutputGuard().ReadsModel("--model", modelPath).ReadsFile("--quantizer", quantizerPath, "quantizer").WritesFile("--out", outputPath);
            var codecKind = parse.GetValue(kind) ?? (quantizerPath is null ? Codec.Continuous : Codec.PostTraining);
            if (quantizerPath is null) Codec.RequireKind(codecKind, hasQuantizer: false);
            using var codec = quantizerPath is null ? Codec.Load(modelPath) : Codec.Load(modelPath, quantizerPath, codecKind);
            codec.Save(outputPath);
            var rate = codec.Quantizer is { } q ? $", {q.Codebooks} {q.Kind} codebooks up to {q.Kbps(codec.FrameRate):0.###} kbps" : "";
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Wrote {outputPath} ({new FileInfo(outputPath).Length / 1024.0 / 1024:F1} MB): {codec.Kind}{rate}; model {codec.ModelId}"
                + (codec.QuantizerId is { } id ? $", quantizer {id}." : ".")));
            return 0;
        }));
        return command;
    }
}
