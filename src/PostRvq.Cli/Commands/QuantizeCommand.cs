using System.CommandLine;
using System.Globalization;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Evaluation;
using PostRvq.Latents;
using PostRvq.Quantization;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq quantize</c>: fits every requested quantizer family on a latent set at each target bitrate and
/// scores it through the frozen decoder on a corpus split; writes results.csv and the fitted quantizers.
/// </summary>
static class QuantizeCommand
{
    public static Command Create()
    {
        var defaults = new ComparisonOptions();
        var latents = new Option<string>("--latents") { Description = "Latent set folder from `postrvq latents`", Required = true };
        var model = new Option<string>("--model") { Description = "The model that encoded the latents (.model, checkpoint or run folder)", Required = true };
        var data = DataOption.Create("its --split is the evaluation set");
        var methods = new Option<string?>("--methods")
        {
            Description = $"Comma-separated quantizer methods (default: {string.Join(",", ComparisonOptions.DefaultMethodKinds)}, those available)",
        };
        var kbps = new Option<string>("--kbps") { Description = "Comma-separated target bitrates", DefaultValueFactory = _ => string.Join(",", defaults.TargetKbps) };
        var split = new Option<string>("--split") { Description = "Evaluation split: train, valid, test or all", DefaultValueFactory = _ => "test" };
        var output = OutOption.Folder("the results (results.csv, quantizers/*.quantizer, with --save-codes codes.safetensors)");
        var iterations = new Option<int>("--kmeans-iterations") { Description = "k-means iterations per codebook", DefaultValueFactory = _ => defaults.KMeans.Iterations };
        var codebookSize = new Option<int>("--codebook-size") { Description = "Entries per codebook", DefaultValueFactory = _ => defaults.CodebookSize };
        var seed = new Option<int>("--seed") { Description = "Seed of every fit", DefaultValueFactory = _ => defaults.Seed };
        var maxTrain = new Option<long?>("--max-train-frames") { Description = "Fit on at most this many random training frames" };
        var maxClips = new Option<int?>("--max-clips") { Description = "Evaluate only the first N clips of the split" };
        var cropSeconds = new Option<double?>("--crop-seconds") { Description = "Evaluate on the centred crop of this length of each clip" };
        var zeroEntry = new Option<bool>("--zero-entry") { Description = "Keep entry 0 of every residual stage at the zero vector, so a stage can add nothing (digital silence stays exact)" };
        var saveCodes = new Option<bool>("--save-codes") { Description = "Also write the evaluation codes to codes.safetensors" };
        var threads = ThreadsOption.Create();
        var command = new Command("quantize", "Fit quantizers on fixed latents and compare them through the frozen decoder")
        {
            latents, model, data, methods, kbps, split, output, iterations, codebookSize, seed, maxTrain, maxClips, cropSeconds, zeroEntry, saveCodes, threads,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            var folder = new OutputGuard().ReadsFilesIn("--latents", parse.GetValue(latents), "latent set").ReadsModel("--model", parse.GetValue(model))
                .ReadsCorpus("--data", parse.GetValue(data)).WritesInto("--out", parse.GetValue(output)!, "results.csv", "quantizers", "codes.safetensors");
            var options = new ComparisonOptions
            {
                Methods = parse.GetValue(methods) is { } list ? ParseMethods(list) : ComparisonOptions.DefaultMethods(),
                TargetKbps = ParseKbps(parse.GetValue(kbps)!),
                CodebookSize = parse.GetValue(codebookSize),
                Seed = parse.GetValue(seed),
                KMeans = defaults.KMeans with { Iterations = parse.GetValue(iterations), KeepZeroCentroid = parse.GetValue(zeroEntry) },
                MaxTrainFrames = parse.GetValue(maxTrain),
                Split = parse.GetValue(split)!,
                OutputFolder = folder,
                SaveCodes = parse.GetValue(saveCodes),
            };
            options.Validate();
            if (parse.GetValue(maxClips) is < 1) throw new ArgumentException($"--max-clips must be positive, not {parse.GetValue(maxClips)}");
            if (parse.GetValue(cropSeconds) is not (null or > 0)) throw new ArgumentException($"--crop-seconds must be positive, not {parse.GetValue(cropSeconds)}");
            var evaluation = new EvaluationSelection(parse.GetValue(data)!, parse.GetValue(maxClips), parse.GetValue(cropSeconds));
            return Quantize(options, parse.GetValue(latents)!, parse.GetValue(model)!, evaluation, folder);
        }));
        return command;
    }

    /// <summary>Which clips are scored: a corpus, at most MaxClips of its split's entries, optionally cut to centred crops.</summary>
    sealed record EvaluationSelection(string DataPath, int? MaxClips, double? CropSeconds);

    static int Quantize(ComparisonOptions options, string latentsPath, string modelPath, EvaluationSelection evaluation, string folder)
    {
        using var train = LatentSetFile.Load(latentsPath);
        CliErrors.RequireExists(modelPath, "--model");
        var modelId = ModelFile.IdOf(modelPath);
        if (train.ModelId.Length > 0 && train.ModelId != modelId)
            throw new ArgumentException($"--latents {latentsPath} were encoded by model {train.ModelId}, but --model {modelPath} is {modelId}; "
                + "encode the latents again with this model");
        var corpus = Corpus.Load(evaluation.DataPath);
        if (options.Split != Corpus.NoSplit) corpus = corpus.Split(options.Split);
        var (autoencoder, info) = ModelFile.Load(modelPath);
        using var _ = autoencoder;
        var sampleRate = autoencoder.Options.SampleRate;
        var entries = corpus.Entries.Take(evaluation.MaxClips ?? int.MaxValue).ToList();
        var (clips, ids) = ScorableClips.Keep([.. entries.Select(e => corpus.LoadClip(e, sampleRate))], [.. entries.Select(e => e.Id)], corpus.Description);
        if (evaluation.CropSeconds is { } seconds)
        {
            var crop = Math.Round(seconds * sampleRate);
            if (crop < Metrics.AudioMetrics.MinimumLength)
                throw new ArgumentException($"--crop-seconds {seconds} is {crop} samples at {sampleRate} Hz, fewer than the "
                    + $"{Metrics.AudioMetrics.MinimumLength} the metrics need (their longest analysis window)");
            var longest = Enumerable.Range(0, clips.Count).MaxBy(i => clips[i].Length);
            // Shorter clips are zero-padded to the crop; a crop past every clip would only pad, up to any size.
            if (crop > clips[longest].Length)
                throw new ArgumentException($"--crop-seconds {seconds} is longer than every clip; the longest, {ids[longest]}, is {clips[longest].DurationSeconds:0.###} s");
            clips = EvaluationCrops.Fixed(clips, (int)crop).ToList();
        }
        AnsiConsole.MarkupLine($"Fitting {Markup.Escape(string.Join(", ", options.Methods))} at {string.Join(", ", options.TargetKbps)} kbps on "
            + $"{train.Count:N0} frames ({Markup.Escape(train.Split)}); evaluating on {clips.Count} clips of {Markup.Escape(corpus.Description)}.");
        var rows = ShowProgress(options, progress => QuantizerComparison.Run(options, autoencoder, train, clips, progress, ids, info.Steps));
        var results = Path.Combine(folder, "results.csv");
        ComparisonCsv.Write(results, rows);
        PrintTable(rows);
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(results)} and {options.Methods.Count} quantizer(s) to {Markup.Escape(Path.Combine(folder, "quantizers"))}.");
        return 0;
    }

    /// <summary>Quantizer kinds from a comma-separated list; an unknown kind is an error that lists the registered ones.</summary>
    internal static IReadOnlyList<string> ParseMethods(string list)
    {
        var kinds = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (kinds.Length == 0) throw new ArgumentException("--methods is empty");
        foreach (var kind in kinds)
            if (!QuantizerZoo.All.Any(m => string.Equals(m.Kind, kind, StringComparison.OrdinalIgnoreCase)))
                throw new ArgumentException($"--methods: unknown quantizer method '{kind}'; available: {string.Join(", ", QuantizerZoo.All.Select(m => m.Kind))}");
        return kinds;
    }

    /// <summary>Bitrates from a comma-separated list such as "3,10,16,24"; errors name <paramref name="flag"/>.</summary>
    internal static IReadOnlyList<double> ParseKbps(string list, string flag = "--kbps")
    {
        var values = new List<double>();
        foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0))
                throw new ArgumentException($"{flag}: '{item}' is not a positive number");
            values.Add(value);
        }
        if (values.Count == 0) throw new ArgumentException($"{flag} is empty");
        return values;
    }

    static IReadOnlyList<ComparisonRow> ShowProgress(ComparisonOptions options, Func<IProgress<ComparisonProgress>, IReadOnlyList<ComparisonRow>> run)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var lastDone = new Dictionary<string, int>();
            return run(new SynchronousProgress<ComparisonProgress>(p =>
            {
                // Lines only when a fit or an evaluation finishes: k-means iterations would flood a log.
                if (lastDone.GetValueOrDefault(p.Method, -1) == p.Done) return;
                lastDone[p.Method] = p.Done;
                Console.WriteLine($"{p.Method} {p.Done}/{p.Total}: {p.Detail}");
            }));
        }
        IReadOnlyList<ComparisonRow> rows = [];
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var names = (options.IncludeContinuous ? [QuantizerComparison.ContinuousMethod] : Array.Empty<string>()).Concat(options.Methods);
                var tasks = names.ToDictionary(name => name, name => context.AddTask(Markup.Escape(name), autoStart: false, maxValue: 1));
                rows = run(new SynchronousProgress<ComparisonProgress>(p =>
                {
                    var task = tasks[p.Method];
                    if (!task.IsStarted) task.StartTask();
                    task.MaxValue = p.Total;
                    task.Value = p.Done;
                    task.Description = Markup.Escape($"{p.Method}: {p.Detail}");
                }));
            });
        return rows;
    }

    internal static void PrintTable(IReadOnlyList<ComparisonRow> rows, string title = "quantizers on fixed latents")
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        table.AddColumn("method");
        foreach (var header in new[] { "target kbps", "kbps", "nq", "latent SNR dB ↑", "usage", "perplexity", "entropy kbps", "mel ↓", "STFT ↓", "SI-SDR dB ↑", "SNR dB ↑", "fit s" })
            table.AddColumn(new TableColumn(header).RightAligned());
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Method), Show(r.TargetKbps, "G4"), Show(r.Kbps, "F2"), r.Codebooks.ToString(CultureInfo.InvariantCulture),
                Show(r.LatentSnrDb, "F2"), Show(r.CodebookUsage, "P0"), Show(r.Perplexity, "F1"), Show(r.EntropyKbps, "F2"),
                Show(r.Mel, "F3"), Show(r.Stft, "F3"), Show(r.SiSdr, "F2"), Show(r.Snr, "F2"), Show(r.FitSeconds, "F1"));
        AnsiConsole.Write(table);
    }

    static string Show(double value, string format) => double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);
}
