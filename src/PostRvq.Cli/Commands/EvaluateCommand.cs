using System.CommandLine;
using System.Text.Json;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Metrics;

namespace PostRvq.Cli.Commands;

/// <summary><c>postrvq evaluate</c>: scores a continuous model on whole clips of one corpus split.</summary>
static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A .model file, a checkpoint, or a run folder", Required = true };
        var data = new Option<string>("--data") { Description = "Corpus folder, manifest.jsonl, or a plain folder of audio", Required = true };
        var split = new Option<string>("--split") { Description = "train, valid or test", DefaultValueFactory = _ => "test" };
        var json = new Option<string?>("--json") { Description = "Also write the per-clip rows and means to this JSON file" };
        var command = new Command("evaluate", "Score a continuous model on a corpus split (mel, STFT, SI-SDR, SNR)") { model, data, split, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            CliErrors.RequireExists(parse.GetValue(model)!, "--model");
            var (autoencoder, info) = ModelFile.Load(parse.GetValue(model)!);
            using var _ = autoencoder;
            var rows = Evaluate(autoencoder, Corpus.Load(parse.GetValue(data)!).Split(parse.GetValue(split)!));
            MetricsTable.Print($"{info.Config} on the {parse.GetValue(split)} split", rows);
            if (parse.GetValue(json) is { } path)
                IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new
                {
                    mean = AudioMetrics.Mean(rows.Select(r => r.Values)),
                    clips = rows.Select(r => new { clip = r.Clip, seconds = r.Seconds, metrics = r.Values }),
                }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return command;
    }

    /// <summary>Reconstructs and scores every clip of <paramref name="split"/>.</summary>
    public static List<(string Clip, double Seconds, AudioMetricValues Values)> Evaluate(Nn.Autoencoder model, Corpus split)
    {
        var rows = new List<(string, double, AudioMetricValues)>();
        foreach (var entry in split.Entries)
        {
            var clip = split.LoadClip(entry, model.Options.SampleRate);
            rows.Add((entry.Id, clip.DurationSeconds, MetricsTable.Score(clip, Reconstruction.Run(model, clip))));
        }
        return rows;
    }
}
