using System.CommandLine;
using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.IO;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary><c>postrvq decode</c>: turns a <c>.codes</c> file back into a WAV at its original length and sample rate.</summary>
static class DecodeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("codes") { Description = "The .codes file to decode" };
        var output = OutOption.File("WAV", shortAlias: true);
        var chunk = ChunkOption.Create();
        var threads = ThreadsOption.Create();
        var latentsOut = new Option<string?>("--latents-out")
        {
            Description = "Also write the quantizer's decoded latents (frames [T, D] float32) to this .npy file, for comparing with other readers",
        };
        var codec = new CodecOptions();
        var command = new Command("decode", "Decode a .codes file to WAV with the codec that made it (--codec C, or --model M --quantizer Q)") { input, output, chunk, latentsOut, threads };
        codec.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            var (codesPath, outputPath) = (parse.GetValue(input)!, parse.GetValue(output)!);
            CliErrors.RequireExists(codesPath, "codes");
            var guard = codec.Guard(parse).ReadsFile("codes", codesPath, "codes file");
            guard.WritesFile("--out", outputPath);
            if (parse.GetValue(latentsOut) is { } latentsPath) guard.WritesFile("--latents-out", latentsPath);
            var codes = CodesFile.Load(codesPath);
            using var loaded = codec.Load(parse, needsQuantizer: true);
            AudioClip clip;
            try
            {
                clip = loaded.Decode(codes, ChunkOption.Chunking(parse.GetValue(chunk)));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{codesPath}: {e.Message}", e);
            }
            WavWriter.Write(outputPath, clip);
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Wrote {outputPath}: {clip.DurationSeconds:F2} s at {clip.SampleRate} Hz from {codes.Codebooks} codebooks at {codes.Kbps:0.###} kbps."));
            if (parse.GetValue(latentsOut) is { } npyPath)
            {
                using var latents = loaded.DecodeLatents(codes);
                using var frames = latents[0].t();
                NpyFile.Save(npyPath, frames);
                AnsiConsole.MarkupLine(Markup.Escape($"Wrote {npyPath}: the decoded latents, [{string.Join(", ", frames.shape)}] float32."));
            }
            return 0;
        }));
        return command;
    }
}
