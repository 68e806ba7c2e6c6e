using System.CommandLine;
using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Quantization;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary><c>postrvq encode</c>: writes an audio file as a <c>.codes</c> file of bit-packed quantizer codes.</summary>
static class EncodeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "The audio file to encode (wav, ogg, mp3), mixed to mono; decoding returns its length and sample rate" };
        var output = OutOption.File(".codes", shortAlias: true);
        var kbps = new Option<double?>("--kbps") { Description = "Target bitrate: keeps the first codebooks of a truncatable quantizer that fit (default: all)" };
        var chunk = ChunkOption.Create();
        var threads = ThreadsOption.Create();
        var codec = new CodecOptions();
        var command = new Command("encode", "Encode audio to a .codes file with a codec (--codec C, or --model M --quantizer Q)") { input, output, kbps, chunk, threads };
        codec.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            var (inputPath, outputPath) = (parse.GetValue(input)!, parse.GetValue(output)!);
            CliErrors.RequireExists(inputPath, "input");
            codec.Guard(parse).ReadsFile("input", inputPath, "audio").WritesFile("--out", outputPath);
            using var loaded = codec.Load(parse, needsQuantizer: true);
            var codebooks = parse.GetValue(kbps) is { } target ? loaded.CodebooksFor(target) : loaded.Quantizer!.Codebooks;
            var clip = AudioFile.Read(inputPath);
            var encoded = loaded.Encode(clip, codebooks, ChunkOption.Chunking(parse.GetValue(chunk)));
            CodesFile.Save(outputPath, encoded);
            var bytes = new FileInfo(outputPath).Length;
            var quantizer = loaded.QuantizerWith(codebooks);
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Wrote {outputPath}: {bytes:N0} bytes for {clip.DurationSeconds:F2} s at {clip.SampleRate} Hz. "
                + $"{codebooks} of {loaded.Quantizer!.Codebooks} {quantizer.Kind} codebooks ({string.Join("+", encoded.Bits)} bits per frame) "
                + $"at {loaded.FrameRate:0.##} frames/s = {quantizer.Kbps(loaded.FrameRate):0.###} kbps "
                + $"({bytes * 8 / Math.Max(clip.DurationSeconds, 1e-9) / 1000:0.###} kbps with the {CodesFile.OverheadBytes(codebooks)}-byte header). "
                + $"Model {loaded.ModelId}, quantizer {loaded.QuantizerId}."));
            return 0;
        }));
        return command;
    }
}

/// <summary>
/// The codec options that encode, decode and reconstruct share: a bundle (<c>--codec C</c>) or its parts
/// (<c>--model M</c> with an optional <c>--quantizer Q</c>).
/// </summary>
sealed class CodecOptions
{
    readonly Option<string?> codec = new("--codec") { Description = "A .codec bundle (a .model also works: a continuous codec)" };
    readonly Option<string?> model = new("--model") { Description = "A .model file, a checkpoint, or a run folder" };
    readonly Option<string?> quantizer = new("--quantizer") { Description = "A .quantizer file fitted on the model's latents" };

    public void AddTo(Command command)
    {
        command.Options.Add(codec);
        command.Options.Add(model);
        command.Options.Add(quantizer);
    }

    /// <summary>An output guard that knows the codec files this command reads.</summary>
    public OutputGuard Guard(ParseResult parse) =>
        new OutputGuard().ReadsModel("--codec", parse.GetValue(codec)).ReadsModel("--model", parse.GetValue(model))
            .ReadsFile("--quantizer", parse.GetValue(quantizer), "quantizer");

    /// <summary>Loads the chosen codec; <paramref name="needsQuantizer"/> refuses a continuous one.</summary>
    public Codec Load(ParseResult parse, bool needsQuantizer)
    {
        var (codecPath, modelPath, quantizerPath) = (parse.GetValue(codec), parse.GetValue(model), parse.GetValue(quantizer));
        if (codecPath is not null && (modelPath ?? quantizerPath) is not null)
            throw new ArgumentException("give either --codec, or --model with --quantizer, not both");
        if (quantizerPath is not null && modelPath is null)
            throw new ArgumentException("--quantizer needs the --model whose latents it was fitted on");
        if ((codecPath ?? modelPath) is null)
            throw new ArgumentException(needsQuantizer ? "give --codec C, or --model M --quantizer Q" : "give --codec C or --model M");
        Codec loaded;
        if (codecPath is not null)
        {
            CliErrors.RequireExists(codecPath, "--codec");
            loaded = Codec.Load(codecPath);
        }
        else
        {
            CliErrors.RequireExists(modelPath!, "--model");
            if (quantizerPath is not null) CliErrors.RequireExists(quantizerPath, "--quantizer");
            loaded = quantizerPath is null ? Codec.Load(modelPath!) : Codec.Load(modelPath!, quantizerPath);
        }
        if (needsQuantizer && loaded.Quantizer is null)
        {
            loaded.Dispose();
            throw new ArgumentException($"{loaded.Source} is a continuous codec with no quantizer; give a bundle with one, or --model M --quantizer Q");
        }
        return loaded;
    }
}
