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
        var data = DataOption.Create("its train split fits the basis, its test split scores it");
        var output = OutOption.File(".model");
        var basis = new Option<string>("--basis") { Description = "pca or lowpass", DefaultValueFactory = _ => "pca" };
        var config = ConfigOption.Create(defaultPreset: "tiny-cpu", role: "an mdct config, which gives the hop and latent size");
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
            new OutputGuard().ReadsFile("--config", parse.GetValue(config), "config").ReadsCorpus("--data", corpusPath).WritesFile("--out", outPath);
            var corpus = Corpus.Load(corpusPath);
            var codec = MdctLinearInit.Fit(TrainSplit(corpus).LoadSpread(parse.GetValue(seconds), experiment.Model.SampleRate),
                experiment.Model, chosen, parse.GetValue(seconds));
            using var model = MdctLinearInit.AnchorModel(experiment.Model, codec);
            var options = model.Options;
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

    static Corpus TrainSplit(Corpus corpus)
    {
        var train = corpus.Split("train");
        if (train.Entries.Count == 0) throw new ArgumentException($"{corpus.Root}: the train split is empty.");
        return train;
    }
}
