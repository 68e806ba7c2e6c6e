using System.CommandLine;
using System.Text.Json;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Evaluation;
using PostRvq.Metrics;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq evaluate</c>: scores a codec on whole clips of one corpus split. A continuous model is scored once;
/// a codec with a quantizer (post-training, finetuned or E2E) once per target bitrate, as rows of the comparison table.
/// </summary>
static class EvaluateCommand
{
    public static Command Create()
    {
        var codecOptions = new CodecOptions();
        var data = DataOption.Create();
        var split = new Option<string>("--split") { Description = "train, valid or test", DefaultValueFactory = _ => "test" };
        var kbps = new Option<string?>("--kbps") { Description = "With a quantizer: comma-separated target bitrates (default 3,10,16,24; a truncatable quantizer keeps the codebooks that fit each)" };
        var csv = new Option<string?>("--csv") { Description = "Also write the rows, with every clip's metrics, to this results CSV (the format of `postrvq quantize`)" };
        var method = new Option<string?>("--method") { Description = "The method name written in the rows (default: the codec's kind, e.g. continuous, postrvq, postrvq-finetuned, e2e)" };
        var json = new Option<string?>("--json") { Description = "Without a quantizer: also write the per-clip rows and means to this JSON file" };
        var threads = ThreadsOption.Create();
        var command = new Command("evaluate", "Score a codec on a corpus split (mel, STFT, SI-SDR, SNR), at each bitrate when it has a quantizer")
        {
            data, split, kbps, csv, json, method, threads,
        };
        codecOptions.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            var guard = codecOptions.Guard(parse).ReadsCorpus("--data", parse.GetValue(data));
            if (parse.GetValue(csv) is { } csvPath) guard.WritesFile("--csv", csvPath);
            if (parse.GetValue(json) is { } jsonPath) guard.WritesFile("--json", jsonPath);
            using var codec = codecOptions.Load(parse, needsQuantizer: false);
            var splitName = parse.GetValue(split)!;
            var corpus = Corpus.Load(parse.GetValue(data)!).Split(splitName);
            if (codec.Quantizer is null)
            {
                if (parse.GetValue(kbps) is not null) throw new ArgumentException($"--kbps needs a codec with a quantizer; {codec.Source} is continuous");
                ScoreContinuous(codec, corpus, splitName, parse.GetValue(json), parse.GetValue(csv), parse.GetValue(method) ?? QuantizerComparison.ContinuousMethod);
            }
            else
            {
                if (parse.GetValue(json) is not null) throw new ArgumentException("--json is for a continuous model; with a quantizer use --csv");
                var targets = parse.GetValue(kbps) is { } list ? QuantizeCommand.ParseKbps(list) : new ComparisonOptions().TargetKbps;
                ScoreAtBitrates(codec, corpus, splitName, targets, parse.GetValue(csv), parse.GetValue(method) ?? codec.Kind);
            }
            return 0;
        }));
        return command;
    }

    static void ScoreContinuous(Codec codec, Corpus split, string splitName, string? jsonPath, string? csvPath, string method)
    {
        var rows = Evaluate(codec.Model, split);
        MetricsTable.Print($"{codec.Info.Config} on the {splitName} split", rows);
        if (csvPath is not null)
        {
            var mean = AudioMetrics.Mean(rows.Select(r => r.Values));
            // The same row a comparison writes for the model without a quantizer, so `postrvq claims` can pair with it.
            ComparisonCsv.Write(csvPath, [new ComparisonRow
            {
                Method = method, Split = splitName, Mel = mean.Mel, Stft = mean.Stft, SiSdr = mean.SiSdr, Snr = mean.Snr,
                TrainingSteps = codec.Info.Steps, Clips = [.. rows.Select(r => r.Values)],
            }]);
            Console.WriteLine($"Wrote {csvPath}");
        }
        if (jsonPath is not null)
            IO.AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(new
            {
                mean = AudioMetrics.Mean(rows.Select(r => r.Values)),
                clips = rows.Select(r => new { clip = r.Clip, seconds = r.Seconds, metrics = r.Values }),
            }, new JsonSerializerOptions { WriteIndented = true }));
    }

    static void ScoreAtBitrates(Codec codec, Corpus split, string splitName, IReadOnlyList<double> targets, string? csvPath, string method)
    {
        var (clips, _) = ScorableClips.Keep(split.LoadAll(codec.SampleRate), [.. split.Entries.Select(e => e.Id)], split.Description);
        Console.WriteLine($"Scoring {codec.Kind} codec {codec.Source} ({codec.Info.Steps:N0} training steps) on {clips.Count} clips of the {splitName} split "
            + $"at {string.Join(", ", targets)} kbps");
        var options = new ComparisonOptions { TargetKbps = targets, Split = splitName };
        var progress = new SynchronousProgress<ComparisonProgress>(p => Console.WriteLine($"{p.Done}/{p.Total}: {p.Detail}"));
        var rows = QuantizerComparison.EvaluateFitted(options, method, codec.Model, codec.Quantizer!, clips, codec.Info.Steps, progress);
        QuantizeCommand.PrintTable(rows, $"{codec.Kind} on the {splitName} split");
        if (csvPath is not null)
        {
            ComparisonCsv.Write(csvPath, rows);
            Console.WriteLine($"Wrote {csvPath}");
        }
    }

    /// <summary>Reconstructs and scores every clip of <paramref name="split"/> long enough for the metrics (see <see cref="ScorableClips"/>).</summary>
    public static List<(string Clip, double Seconds, AudioMetricValues Values)> Evaluate(Nn.Autoencoder model, Corpus split) =>
        ScorableClips.ScoreSplit(split, model.Options.SampleRate, clip => Reconstruction.Run(model, clip));
}
