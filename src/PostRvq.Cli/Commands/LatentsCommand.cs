using System.CommandLine;
using PostRvq.Codecs;
using PostRvq.Latents;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq latents</c>: encodes a corpus split with a frozen model into a latent set folder
/// (latents.safetensors, latents.npy, latents.json), the training data of post-training quantization.
/// </summary>
static class LatentsCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A .model file, a checkpoint, or a run folder", Required = true };
        var data = DataOption.Create();
        var split = new Option<string>("--split") { Description = "train, valid, test, or all", DefaultValueFactory = _ => "train" };
        var output = OutOption.Folder("the latent set (latents.safetensors, .npy and .json)");
        var maxClips = new Option<int?>("--max-clips") { Description = "Encode only this many clips, drawn at random with --seed" };
        var seed = new Option<int>("--seed") { Description = "Seed of the --max-clips draw", DefaultValueFactory = _ => 0 };
        var chunk = ChunkOption.Create();
        var threads = ThreadsOption.Create();
        var command = new Command("latents", "Encode a corpus split into a latent dataset for fitting quantizers") { model, data, split, output, maxClips, seed, chunk, threads };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            var modelPath = parse.GetValue(model)!;
            CliErrors.RequireExists(modelPath, "--model");
            var splitName = parse.GetValue(split)!;
            if (splitName is not ("train" or "valid" or "test" or Data.Corpus.NoSplit))
                throw new ArgumentException($"--split {splitName}: expected train, valid, test or all");
            var options = new LatentEncodingOptions
            {
                Chunking = ChunkOption.Chunking(parse.GetValue(chunk)),
                MaxClips = parse.GetValue(maxClips),
                Seed = parse.GetValue(seed),
            };
            var folder = new OutputGuard().ReadsModel("--model", modelPath).ReadsCorpus("--data", parse.GetValue(data))
                .WritesInto("--out", parse.GetValue(output)!, LatentSetFile.SafetensorsName, LatentSetFile.NpyName, LatentSetFile.JsonName);
            var set = Encode(modelPath, parse.GetValue(data)!, splitName, options);
            using (set)
            {
                LatentSetFile.Save(folder, set);
                AnsiConsole.MarkupLine($"Wrote {set.Count:N0} frames × {set.Dimension} ({set.Count / set.FrameRate / 60:F1} min at {set.FrameRate:G4} frames/s) "
                    + $"from {set.ClipIds.Count} clips of the {Markup.Escape(set.Split)} split to {Markup.Escape(folder)} (model {set.ModelId}).");
                var spread = set.DimensionSpread().Order().ToArray();
                // The spread across dimensions is what decides whether standardization before RVQ can help.
                AnsiConsole.MarkupLine($"Per-dimension standard deviation: min {spread[0]:G3}, median {spread[spread.Length / 2]:G3}, max {spread[^1]:G3} "
                    + $"(max/min {spread[^1] / spread[0]:G3}).");
            }
            return 0;
        }));
        return command;
    }

    static LatentSet Encode(string modelPath, string dataPath, string split, LatentEncodingOptions options)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return LatentSets.FromFiles(modelPath, dataPath, split, options, new SynchronousProgress<LatentProgress>(p =>
            {
                if (p.Done % 25 == 0 || p.Done == p.Clips) Console.WriteLine($"encoded {p.Done}/{p.Clips} clips");
            }));
        LatentSet set = null!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("encoding", autoStart: true, maxValue: 1);
                set = LatentSets.FromFiles(modelPath, dataPath, split, options, new SynchronousProgress<LatentProgress>(p =>
                {
                    task.MaxValue = p.Clips;
                    task.Value = p.Done;
                    task.Description = Markup.Escape($"encoded {p.Done}/{p.Clips}: {p.ClipId}");
                }));
            });
        return set;
    }
}
