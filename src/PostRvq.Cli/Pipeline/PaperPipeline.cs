using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Evaluation;
using PostRvq.Latents;
using PostRvq.Nn;
using PostRvq.Pipeline;
using PostRvq.Quantization;
using PostRvq.Training;

namespace PostRvq.Cli.Pipeline;

/// <summary>
/// The paper end to end as resumable stages under runs/NAME/: the continuous model, the latent dataset, the
/// quantizer comparison on that fixed representation, the finetuned decoder, the E2E baseline, their evaluation on
/// the test split, and the report. Each stage reads only earlier stages' folders and the user's inputs. Without
/// --train, the finetuned and E2E stages run only for the models the user gives.
/// </summary>
public sealed class PaperPipeline(PaperPipelineOptions options, string runFolder)
{
    public const string ModelFileName = "model" + ModelFile.Extension;
    public const string FinetunedFileName = "finetuned" + ModelFile.Extension;
    public const string FinetunedSetFileName = "finetuned-set" + ModelFile.Extension;
    public const string E2EFileName = "e2e" + ModelFile.Extension;
    public const string RowsFileName = "results.csv";

    string Stage(string name) => Path.Combine(runFolder, name);

    /// <summary>Checks the inputs before any stage runs, so a wrong path fails in a second rather than minutes in.</summary>
    public void Validate()
    {
        if (!File.Exists(options.Data) && !Directory.Exists(options.Data))
            throw new DirectoryNotFoundException($"--data {options.Data}: no such folder or manifest");
        var corpus = Corpus.Load(options.Data);
        foreach (var split in new[] { "train", "test" })
            if (corpus.Split(split).Entries.Count == 0)
                throw new CorpusException($"--data {options.Data}: the {split} split is empty; the pipeline fits on train and scores on test");
        if (options.Train) return;
        if (!File.Exists(options.Model)) throw new FileNotFoundException($"{options.Model}: the shipped model is missing; pass --train to train it instead", options.Model);
        var given = new[] { options.FinetunedModel, options.FinetunedSetModel, options.E2EModel }.OfType<string>().ToList();
        foreach (var model in given)
        {
            if (!File.Exists(model)) throw new FileNotFoundException($"{model}: no such model", model);
            if (!File.Exists(PaperPipelineOptions.QuantizerOf(model)))
                throw new FileNotFoundException($"{PaperPipelineOptions.QuantizerOf(model)}: the quantizer of {model} is missing", PaperPipelineOptions.QuantizerOf(model));
        }
        if (given.Count == 0) return;
        // Finetuned and E2E rows compare with the continuous model only when they share its architecture.
        var continuous = OptionsOf(options.Model);
        foreach (var model in given)
        {
            var other = OptionsOf(model);
            if (other.Kind != continuous.Kind || other.SampleRate != continuous.SampleRate || other.HopLength != continuous.HopLength || other.LatentDim != continuous.LatentDim)
                throw new ArgumentException($"{model} is a {other.Kind} model ({other.LatentDim} dims every {other.HopLength} samples at {other.SampleRate} Hz), "
                    + $"but {options.Model} is a {continuous.Kind} model ({continuous.LatentDim} dims every {continuous.HopLength} samples at {continuous.SampleRate} Hz): "
                    + "their rows would not compare");
        }
    }

    static AutoencoderOptions OptionsOf(string modelPath)
    {
        var (model, info) = ModelFile.Load(modelPath);
        model.Dispose();
        return info.Options;
    }

    /// <summary>The stages to run; finetune, e2e and evaluation only when the run has a finetuned or E2E model.</summary>
    public IReadOnlyList<PipelineStage> Stages()
    {
        var stages = new List<PipelineStage>
        {
            new("model", options.Train ? "Train the continuous autoencoder" : "Load the shipped continuous model",
                new { options.Train, options.Config, options.TrainSteps }, options.Train ? [options.Data] : [options.Model], RunModel),
            new("latents", "Encode the train split into the latent dataset", new { split = "train" }, [options.Data, Stage("model")], RunLatents),
            new("quantizers", "Fit and compare the quantizer zoo", new { options.Methods, options.Kbps, options.KMeansIterations, options.ZeroEntry, options.MaxTrainFrames, options.Seed, options.CodebookSize },
                [options.Data, Stage("model"), Stage("latents")], RunQuantizers),
        };
        if (options.HasFinetuned)
            stages.Add(new("finetune", options.Train ? $"Finetune the decoder at {options.FinetuneKbps:G4} kbps" : "Load the given finetuned decoder",
                new { options.Train, options.FinetuneKbps, options.TrainSteps },
                options.Train ? [options.Data, Stage("model"), Stage("quantizers")] : [options.FinetunedModel!, PaperPipelineOptions.QuantizerOf(options.FinetunedModel!)], RunFinetune));
        if (options.HasFinetunedSet)
            stages.Add(new("finetune-set", "Load the given decoder finetuned on a set of bitrates", new { options.FinetunedSetModel },
                [options.FinetunedSetModel!, PaperPipelineOptions.QuantizerOf(options.FinetunedSetModel!)],
                c => CopyWithQuantizer(options.FinetunedSetModel!, Path.Combine(c.Folder, FinetunedSetFileName))));
        if (options.HasE2E)
            stages.Add(new("e2e", options.Train ? "Train the end-to-end RVQ baseline" : "Load the given E2E baseline",
                new { options.Train, options.Config, options.TrainSteps },
                options.Train ? [options.Data, Stage("model"), Stage("finetune")] : [options.E2EModel!, PaperPipelineOptions.QuantizerOf(options.E2EModel!)], RunE2E));
        var codecs = CodecStages();
        if (codecs.Count > 0)
            stages.Add(new("evaluation", "Score the finetuned and E2E models on the test split",
                new { options.Kbps, options.FinetuneKbps, options.HasFinetuned, options.HasFinetunedSet, options.HasE2E, frozenRows = Claims.Frozen },
                [options.Data, Stage("model"), Stage("quantizers"), .. codecs], RunEvaluation));
        stages.Add(new("report", "Write the report", new { options.ReportClips, options.Kbps, options.FinetuneKbps, options.HasFinetuned, options.HasFinetunedSet, options.HasE2E },
            [options.Data, Stage("model"), Stage("quantizers"), .. codecs, .. codecs.Count > 0 ? [Stage("evaluation")] : Array.Empty<string>()],
            c => PipelineReport.Write(c, options, runFolder)));
        return stages;
    }

    /// <summary>The stage folders of the finetuned and E2E models this run has.</summary>
    List<string> CodecStages() =>
    [
        .. options.HasFinetuned ? [Stage("finetune")] : Array.Empty<string>(),
        .. options.HasFinetunedSet ? [Stage("finetune-set")] : Array.Empty<string>(),
        .. options.HasE2E ? [Stage("e2e")] : Array.Empty<string>(),
    ];

    void RunModel(StageContext context)
    {
        var target = Path.Combine(context.Folder, ModelFileName);
        if (!options.Train)
        {
            File.Copy(options.Model, target);
            return;
        }
        var run = Path.Combine(context.Folder, "run");
        RunCli(["train", "--config", options.Config, "--data", options.Data, "--out", run, .. StepsArgs()]);
        RunCli(["export", "--checkpoint", run, "--out", target]);
    }

    void RunLatents(StageContext context)
    {
        var progress = new SynchronousProgress<LatentProgress>(p => context.Progress.Report(new StageProgress((double)p.Done / Math.Max(1, p.Clips), $"clip {p.Done}/{p.Clips}")));
        using var set = LatentSets.FromFiles(Path.Combine(Stage("model"), ModelFileName), options.Data, "train", new LatentEncodingOptions { Seed = options.Seed }, progress);
        LatentSetFile.Save(context.Folder, set);
    }

    ComparisonOptions Comparison(string? outputFolder, int codebookSize = 1024) => new()
    {
        CodebookSize = codebookSize,
        Methods = options.Methods,
        TargetKbps = options.Kbps,
        Seed = options.Seed,
        KMeans = new KMeansOptions { Iterations = options.KMeansIterations, KeepZeroCentroid = options.ZeroEntry },
        MaxTrainFrames = options.MaxTrainFrames,
        OutputFolder = outputFolder,
    };

    void RunQuantizers(StageContext context)
    {
        var (model, info) = ModelFile.Load(Path.Combine(Stage("model"), ModelFileName));
        using var _ = model;
        using var train = LatentSetFile.Load(Stage("latents"));
        var modelId = ModelFile.IdOf(model);
        if (train.ModelId.Length > 0 && train.ModelId != modelId)
            throw new InvalidDataException($"{Stage("latents")}: the latents were encoded by model {train.ModelId}, not by this run's model {modelId}");
        var (clips, ids) = TestClips(model.Options.SampleRate);
        var progress = new SynchronousProgress<ComparisonProgress>(p =>
            context.Progress.Report(new StageProgress(Fraction(p), $"{p.Method}: {p.Detail}")));
        var codebookSize = options.CodebookSizeFor(Math.Min(train.Count, options.MaxTrainFrames));
        var rows = QuantizerComparison.Run(Comparison(context.Folder, codebookSize), model, train, clips, progress, ids, info.Steps).ToList();
        // An MDCT model is measured against the linear codec it started from, fitted on the same train split.
        if (model.Options.Kind == ModelKinds.Mdct)
        {
            context.Progress.Report(new StageProgress(1, $"{LinearAnchorRow.Method}: fitting the linear codec on the train split"));
            var trainClips = Corpus.Load(options.Data).Split("train").LoadSpread(MdctLinearInit.DefaultSeconds, model.Options.SampleRate);
            rows.Insert(1, LinearAnchorRow.Score(model.Options, trainClips, clips, "test"));
        }
        ComparisonCsv.Write(Path.Combine(context.Folder, RowsFileName), rows);
    }

    /// <summary>
    /// The continuous decoder behind the finetuned decoder's own quantizer, at the bitrates of the finetuned decoders
    /// that share that quantizer: claim 3 then compares decoders alone, not also this run's refit of srvq.
    /// </summary>
    IReadOnlyList<ComparisonRow> FrozenRows(StageContext context)
    {
        if (!options.HasFinetuned) return [];
        var quantizerPath = PaperPipelineOptions.QuantizerOf(Path.Combine(Stage("finetune"), FinetunedFileName));
        var kbps = new List<double> { options.FinetuneKbps };
        if (options.HasFinetunedSet && SameBytes(quantizerPath, PaperPipelineOptions.QuantizerOf(Path.Combine(Stage("finetune-set"), FinetunedSetFileName))))
            kbps.AddRange(options.Kbps.Where(k => !kbps.Contains(k)));
        var (model, info) = ModelFile.Load(Path.Combine(Stage("model"), ModelFileName));
        using var _ = model;
        var (clips, _) = TestClips(model.Options.SampleRate);
        var progress = new SynchronousProgress<ComparisonProgress>(p => context.Progress.Report(new StageProgress(1, $"{Claims.Frozen}: {p.Detail}")));
        return QuantizerComparison.EvaluateFitted(Comparison(null) with { TargetKbps = [.. kbps.Order()] }, Claims.Frozen, model, QuantizerFile.Load(quantizerPath),
            clips, info.Steps, progress);
    }

    static bool SameBytes(string a, string b) => File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));

    double Fraction(ComparisonProgress p)
    {
        var index = options.Methods.ToList().IndexOf(p.Method) + 1;
        var within = p.Total > 0 ? (double)p.Done / p.Total : 0;
        return Math.Clamp((index + within) / (options.Methods.Count + 1), 0, 1);
    }

    void RunFinetune(StageContext context)
    {
        var target = Path.Combine(context.Folder, FinetunedFileName);
        if (!options.Train)
        {
            CopyWithQuantizer(options.FinetunedModel!, target);
            return;
        }
        var quantizer = Path.Combine(Stage("quantizers"), "quantizers", QuantizerKinds.Srvq + QuantizerFile.Extension);
        RunCli(["finetune", "--model", Path.Combine(Stage("model"), "run"), "--quantizer", quantizer, "--data", options.Data,
            "--out", Path.Combine(context.Folder, "run"), "--kbps", options.FinetuneKbps.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--model-out", target, .. StepsArgs()]);
    }

    void RunE2E(StageContext context)
    {
        var target = Path.Combine(context.Folder, E2EFileName);
        if (!options.Train)
        {
            CopyWithQuantizer(options.E2EModel!, target);
            return;
        }
        // Equal budget: the E2E model gets as many steps as the continuous model and its finetuning together.
        var steps = Math.Max(StepsOf(Path.Combine(Stage("model"), ModelFileName)), StepsOf(Path.Combine(Stage("finetune"), FinetunedFileName)));
        RunCli(["e2e", "--config", options.Config, "--data", options.Data, "--out", Path.Combine(context.Folder, "run"),
            "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--model-out", target]);
    }

    void RunEvaluation(StageContext context)
    {
        var rows = new List<ComparisonRow>();
        var codecs = new List<(string Method, string Path, IReadOnlyList<double> Kbps)>();
        if (options.HasFinetuned) codecs.Add((Claims.Finetuned, Path.Combine(Stage("finetune"), FinetunedFileName), [options.FinetuneKbps]));
        if (options.HasFinetunedSet) codecs.Add((Claims.FinetunedOnSet, Path.Combine(Stage("finetune-set"), FinetunedSetFileName), options.Kbps));
        if (options.HasE2E) codecs.Add((Claims.EndToEnd, Path.Combine(Stage("e2e"), E2EFileName), options.Kbps));
        for (var i = 0; i < codecs.Count; i++)
        {
            var (method, path, kbps) = codecs[i];
            var (model, info) = ModelFile.Load(path);
            using var _ = model;
            var quantizer = QuantizerFile.Load(PaperPipelineOptions.QuantizerOf(path));
            var (clips, _) = TestClips(model.Options.SampleRate);
            var progress = new SynchronousProgress<ComparisonProgress>(p =>
                context.Progress.Report(new StageProgress((i + (double)p.Done / Math.Max(1, p.Total)) / codecs.Count, $"{method}: {p.Detail}")));
            rows.AddRange(QuantizerComparison.EvaluateFitted(Comparison(null) with { TargetKbps = kbps }, method, model, quantizer, clips, info.Steps, progress));
        }
        rows.AddRange(FrozenRows(context));
        ComparisonCsv.Write(Path.Combine(context.Folder, RowsFileName), rows);
    }

    /// <summary>Copies a shipped model and the quantizer beside it, so the stage folder holds the codec whole.</summary>
    static void CopyWithQuantizer(string model, string target)
    {
        File.Copy(model, target);
        File.Copy(PaperPipelineOptions.QuantizerOf(model), PaperPipelineOptions.QuantizerOf(target));
    }

    static long StepsOf(string modelPath)
    {
        var (model, info) = ModelFile.Load(modelPath);
        model.Dispose();
        return info.Steps;
    }

    /// <summary>The test split's clips at the model's rate, with their ids, leaving out (and naming) those too short to score.</summary>
    internal (IReadOnlyList<AudioClip> Clips, IReadOnlyList<string> Ids) TestClips(int sampleRate)
    {
        var test = Corpus.Load(options.Data).Split("test");
        return ScorableClips.Keep(test.LoadAll(sampleRate), [.. test.Entries.Select(e => e.Id)], test.Description);
    }

    string[] StepsArgs() => options.TrainSteps is { } steps ? ["--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];

    static void RunCli(string[] args)
    {
        var status = PostRvqCli.Run(args);
        // A signal stopped the training inside the stage: stop the pipeline with the same code, rather than fail the stage.
        if (status is StopSignals.InterruptedExitCode or StopSignals.TerminatedExitCode) throw new StoppedBySignalException(status);
        if (status != 0) throw new InvalidOperationException($"'postrvq {string.Join(' ', args)}' failed with exit code {status}");
    }
}
