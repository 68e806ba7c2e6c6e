using System.CommandLine;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Metrics;
using PostRvq.Nn;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq anchor</c>: the linear codec an <c>mdct</c> preset starts from, written as an ordinary .model file, so
/// that <c>postrvq evaluate</c> scores it beside the trained model. With <c>--basis pca</c> it is the MDCT projected on
/// the top principal components of the training split's frames; with <c>lowpass</c> it keeps the lowest bins (an ideal
/// low-pass at LatentDim / hop of the Nyquist frequency). Both carry LatentDim numbers per hop, the trained model's budget.
/// </summary>
static class AnchorCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Corpus whose train split the basis is fitted on (and whose test split scores it)", Required = true };
        var output = new Option<string>("--out") { Description = "The .model file to write", Required = true };
        var basis = new Option<string>("--basis") { Description = "pca or lowpass", DefaultValueFactory = _ => "pca" };
        var config = new Option<string>("--config") { Description = "An mdct preset or config file giving the hop and latent size", DefaultValueFactory = _ => "tiny-cpu" };
        var split = new Option<string>("--split") { Description = "The split that scores the anchor (valid while tuning, test to report)", DefaultValueFactory = _ => "test" };
        var seconds = new Option<double>("--seconds") { Description = "Audio of the train split the statistics use", DefaultValueFactory = _ => MdctLinearInit.DefaultSeconds };
        var command = new Command("anchor", "Write the linear MDCT codec (PCA or low-pass) as a .model baseline") { data, output, basis, config, split, seconds };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var chosen = parse.GetValue(basis)!.ToLowerInvariant() switch
            {
                "pca" => LinearBasis.Pca,
                "lowpass" => LinearBasis.LowPass,
                var other => throw new ArgumentException($"--basis '{other}' is unknown; use pca or lowpass."),
            };
            if (!(parse.GetValue(seconds) > 0)) throw new ArgumentException($"--seconds must be positive; got {parse.GetValue(seconds)}.");
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!);
            if (experiment.Model.Kind != ModelKinds.Mdct)
                throw new ArgumentException($"--config {parse.GetValue(config)} is model.kind '{experiment.Model.Kind}'; the linear anchor needs '{ModelKinds.Mdct}'.");
            var outPath = parse.GetValue(output)!;
            var corpusPath = parse.GetValue(data)!;
            CliErrors.RequireExists(corpusPath, "--data");
            // The anchor must never replace what it was built from.
            var outFull = Path.GetFullPath(outPath);
            if (File.Exists(parse.GetValue(config)) && outFull == Path.GetFullPath(parse.GetValue(config)!))
                throw new ArgumentException($"--out {outPath} is the config it reads; choose another file.");
            var dataFull = Path.GetFullPath(Directory.Exists(corpusPath) ? corpusPath : Path.GetDirectoryName(Path.GetFullPath(corpusPath))!);
            if (outFull.StartsWith(dataFull.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new ArgumentException($"--out {outPath} is inside the corpus --data {corpusPath}; write the model elsewhere.");
            var corpus = Corpus.Load(corpusPath);
            // Without blocks the nonlinear branches are empty, so the file holds just the linear codec.
            var options = experiment.Model with { EncoderBlocks = 0, DecoderBlocks = 0, LinearInit = true };
            using var model = Autoencoder.Create(options);
            var codec = MdctLinearInit.Fit(EvenlySpread(corpus.Split("train"), parse.GetValue(seconds), options.SampleRate), options, chosen, parse.GetValue(seconds));
            MdctLinearInit.Apply(model, codec);
            model.eval();
            AnsiConsole.MarkupLine($"{chosen} basis from {codec.Frames:N0} train frames keeps {codec.EnergyKept:P2} of their energy.");
            var scored = parse.GetValue(split)!;
            var rows = EvaluateCommand.Evaluate(model, corpus.Split(scored));
            MetricsTable.Print($"{scored} split", rows);
            var info = new ModelInfo
            {
                Options = options, Config = $"{experiment.Name} linear anchor ({parse.GetValue(basis)})", Steps = 0, TrainedOn = corpusPath,
                TestMetrics = scored == "test" ? AudioMetrics.Mean(rows.Select(r => r.Values)) : null,
            };
            ModelFile.Save(outPath, model, info);
            AnsiConsole.MarkupLine($"Wrote {Markup.Escape(outPath)}.");
            return 0;
        }));
        return command;
    }

    /// <summary>Clips spread evenly over the split, about <paramref name="seconds"/> in all, so a large corpus is not read whole.</summary>
    static IReadOnlyList<Audio.AudioClip> EvenlySpread(Corpus split, double seconds, int sampleRate)
    {
        if (split.Entries.Count == 0) throw new ArgumentException($"{split.Root}: the train split is empty.");
        var total = split.Entries.Sum(e => e.Duration);
        var stride = Math.Max(1, (int)Math.Floor(total / seconds));
        return split.Entries.Where((_, i) => i % stride == 0).Select(e => split.LoadClip(e, sampleRate)).ToList();
    }
}
