using System.CommandLine;
using PostRvq.Codecs;
using PostRvq.Quantization;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary><c>postrvq inspect</c>: shows what a model file, a checkpoint or a quantizer file holds.</summary>
static class InspectCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "A .model file, a checkpoint, or a run folder" };
        var quantizer = new Option<string?>("--quantizer") { Description = "A .quantizer file: its kind, codebooks, bitrate and provenance (how it was fitted)" };
        var command = new Command("inspect", "Show a model's options, provenance and size, or a quantizer's") { model, quantizer };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var (modelPath, quantizerPath) = (parse.GetValue(model), parse.GetValue(quantizer));
            if (modelPath is null == quantizerPath is null) throw new ArgumentException("give one of --model and --quantizer");
            if (quantizerPath is not null) return InspectQuantizer(quantizerPath);
            CliErrors.RequireExists(modelPath!, "--model");
            var (autoencoder, info) = ModelFile.Load(modelPath!);
            using var _ = autoencoder;
            AnsiConsole.MarkupLine($"{autoencoder.ParameterCount:N0} parameters, hop {info.Options.HopLength}, "
                + $"{info.Options.FrameRate:F2} frames/s, latent dim {info.Options.LatentDim}");
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(info, ExperimentConfig.Json));
            return 0;
        }));
        return command;
    }

    static int InspectQuantizer(string path)
    {
        CliErrors.RequireExists(path, "--quantizer");
        var quantizer = QuantizerFile.Load(path);
        Console.WriteLine($"{quantizer.Kind}: {quantizer.Codebooks} code streams of {string.Join("/", quantizer.CodebookSizes.Distinct())} entries "
            + $"for {quantizer.Dimension}-d latents, {quantizer.BitsPerFrame:G4} bits per frame");
        if (quantizer is FrameQuantizer frame)
            foreach (var (key, value) in frame.Provenance.OrderBy(p => p.Key, StringComparer.Ordinal)) Console.WriteLine($"{key}: {value}");
        return 0;
    }
}
