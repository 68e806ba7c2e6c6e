using System.CommandLine;
using PostRvq.IO;
using PostRvq.Quantization;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq convert-quantizer</c>: rewrites a <c>.quantizer</c> file of the first format (magic PRVQQUAN) as the
/// safetensors file <see cref="QuantizerFile.Save"/> writes today, with the same state and so the same quantizer id.
/// </summary>
static class ConvertQuantizerCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("quantizer") { Description = "The .quantizer file to convert (either format)" };
        var output = OutOption.File(".quantizer (safetensors)", shortAlias: true);
        var command = new Command("convert-quantizer", "Rewrite a .quantizer file in the current (safetensors) format") { input, output };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var (inputPath, outputPath) = (parse.GetValue(input)!, parse.GetValue(output)!);
            CliErrors.RequireExists(inputPath, "quantizer");
            new OutputGuard().ReadsFile("quantizer", inputPath, "quantizer").WritesFile("--out", outputPath);
            var legacy = QuantizerFile.IsLegacy(inputPath);
            var bytes = QuantizerFile.ReadBytes(inputPath);
            var state = QuantizerFile.FromBytes(bytes, inputPath);
            // Built once so that a state no loader accepts is refused before anything is written.
            var quantizer = QuantizerFile.Build(state, inputPath);
            QuantizerFile.Save(outputPath, state);
            if (!QuantizerFile.ReadBytes(outputPath).AsSpan().SequenceEqual(bytes))
                throw new InvalidDataException($"{outputPath}: the converted file does not read back as the state of {inputPath}");
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Wrote {outputPath} ({new FileInfo(outputPath).Length:N0} bytes, from {(legacy ? "the first format" : "the current format")}): "
                + $"{quantizer.Kind}, {quantizer.Codebooks} codebooks of {quantizer.Dimension}-d latents, {state.Tensors.Count} tensors; "
                + $"quantizer id {ContentId.Of(bytes)} (unchanged)."));
            return 0;
        }));
        return command;
    }
}
