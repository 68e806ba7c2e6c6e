using System.CommandLine;
using System.Diagnostics;
using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Metrics;
using PostRvq.Quantization;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq reconstruct</c>: passes files through a continuous model, or a codec whose quantizer codes the
/// latents on the way, and writes WAV at the model's rate, with a table of how close each reconstruction is to its
/// (resampled, mono) input.
/// </summary>
static class ReconstructCommand
{
    public static Command Create()
    {
        var codec = new CodecOptions();
        var input = new Option<string>("--in") { Description = "An audio file or a folder of them (wav, ogg, mp3)", Required = true };
        var output = OutOption.Create("The WAV file to write, or a folder when --in is a folder");
        var chunk = ChunkOption.Create();
        var threads = ThreadsOption.Create();
        var command = new Command("reconstruct", "Pass audio through a model (encode, then decode), quantizing the latents when the codec has a quantizer")
            { input, output, chunk, threads };
        codec.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            return Reconstruct(parse, codec, parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(chunk));
        }));
        return command;
    }

    static int Reconstruct(ParseResult parse, CodecOptions codecOptions, string inputPath, string outputPath, double chunkSeconds)
    {
        using var codec = codecOptions.Load(parse, needsQuantizer: false);
        CliErrors.RequireExists(inputPath, "--in");
        var chunking = ChunkOption.Chunking(chunkSeconds);
        var guard = codecOptions.Guard(parse).ReadsFolder("--in", inputPath, "input folder").ReadsFile("--in", inputPath, "input");
        var jobs = PlanJobs(inputPath, outputPath, guard);
        var info = codec.Info;
        var sampleRate = codec.SampleRate;
        var rows = new List<(string, double, AudioMetricValues)>();
        var unscored = new List<(string, int)>();
        var failures = new List<(string Name, string Error)>();
        var clock = Stopwatch.StartNew();
        double audioSeconds = 0;
        foreach (var (source, target, name) in jobs)
        {
            try
            {
                var clip = AudioFile.Read(source, sampleRate);
                var reconstructed = codec.Reconstruct(clip, chunking);
                WavWriter.Write(target, reconstructed);
                if (AudioMetrics.CanScore(clip.Length)) rows.Add((name, clip.DurationSeconds, MetricsTable.Score(clip, reconstructed)));
                else unscored.Add((name, clip.Length));
                audioSeconds += clip.DurationSeconds;
            }
            // One bad file of a folder must not cost the others; a single file's error goes to the user as it is.
            catch (Exception e) when (jobs.Count > 1 && e is not (OperationCanceledException or OutOfMemoryException))
            {
                failures.Add((name, e.Message));
            }
        }
        var quantized = codec.Quantizer is { } q ? $", {q.Kind} at {q.Kbps(codec.FrameRate):0.###} kbps" : "";
        MetricsTable.Print($"{rows.Count} file(s) through {codec.Source} ({info.Config}, {info.Steps} steps{quantized}) at {sampleRate} Hz", rows);
        ScorableClips.Warn(unscored, sampleRate);
        AnsiConsole.MarkupLine($"Wrote {rows.Count + unscored.Count} WAV file(s) to {Markup.Escape(outputPath)}; "
            + $"{audioSeconds:F1} s of audio in {clock.Elapsed.TotalSeconds:F1} s (real-time factor {clock.Elapsed.TotalSeconds / Math.Max(audioSeconds, 1e-9):F3}).");
        if (failures.Count == 0) return 0;
        var failed = new Table().Title($"{failures.Count} of {jobs.Count} file(s) failed").Border(TableBorder.Rounded).AddColumns("file", "error");
        foreach (var (name, error) in failures) failed.AddRow(Markup.Escape(name), Markup.Escape(error));
        AnsiConsole.Write(failed);
        AnsiConsole.Console.Profile.Out.Writer.Flush();
        Console.Error.WriteLine($"error: {failures.Count} of {jobs.Count} file(s) failed: {string.Join(", ", failures.Select(f => f.Name))}");
        return 1;
    }

    /// <summary>Pairs every input with its output path, refusing (through <paramref name="guard"/>) to overwrite an input.</summary>
    static List<(string Source, string Target, string Name)> PlanJobs(string inputPath, string outputPath, OutputGuard guard)
    {
        var jobs = new List<(string, string, string)>();
        if (Directory.Exists(inputPath))
        {
            if (File.Exists(outputPath)) throw new ArgumentException($"--out {outputPath} is a file, but --in is a folder; give a folder");
            var files = Directory.EnumerateFiles(inputPath, "*", SearchOption.AllDirectories)
                .Where(AudioFile.HasSupportedExtension).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) throw new ArgumentException($"--in {inputPath}: the folder holds no audio files ({string.Join(", ", AudioFile.SupportedExtensions)})");
            foreach (var file in files)
            {
                var relative = Path.GetRelativePath(inputPath, file);
                jobs.Add((file, Path.Combine(outputPath, Path.ChangeExtension(relative, ".wav")), relative));
            }
        }
        else
        {
            var target = Directory.Exists(outputPath)
                ? Path.Combine(outputPath, Path.ChangeExtension(Path.GetFileName(inputPath), ".wav"))
                : outputPath;
            jobs.Add((inputPath, target, Path.GetFileName(inputPath)));
        }
        foreach (var (_, target, _) in jobs) guard.WritesFile("--out", target);
        return jobs;
    }
}
