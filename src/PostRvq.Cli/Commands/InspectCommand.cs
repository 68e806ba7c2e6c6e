using System.CommandLine;
using PostRvq.Codecs;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary><c>postrvq inspect</c>: shows what a model file or checkpoint holds.</summary>
static class InspectCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A .model file, a checkpoint, or a run folder", Required = true };
        var command = new Command("inspect", "Show a model's options, provenance and size") { model };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            CliErrors.RequireExists(parse.GetValue(model)!, "--model");
            var (autoencoder, info) = ModelFile.Load(parse.GetValue(model)!);
            using var _ = autoencoder;
            AnsiConsole.MarkupLine($"{autoencoder.ParameterCount:N0} parameters, hop {info.Options.HopLength}, "
                + $"{info.Options.FrameRate:F2} frames/s, latent dim {info.Options.LatentDim}");
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(info, ExperimentConfig.Json));
            return 0;
        }));
        return command;
    }
}
