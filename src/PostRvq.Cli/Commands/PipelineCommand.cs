using System.CommandLine;
using PostRvq.Cli.Pipeline;
using PostRvq.Pipeline;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq pipeline</c>: the paper end to end in one resumable command (see <see cref="PaperPipeline"/>);
/// a rerun skips every stage whose inputs and options are unchanged.
/// </summary>
static class PipelineCommand
{
    public static Command Create()
    {
        var defaults = new PaperPipelineOptions();
        var output = OutOption.Folder("the run, one subfolder per stage (runs/NAME/STAGE/)", defaultFolder: "runs/pipeline");
        var data = DataOption.Create("the committed samples, or a corpus you built", defaultPath: defaults.Data);
        var model = new Option<string>("--model") { Description = "The continuous model to quantize (without --train)", DefaultValueFactory = _ => defaults.Model };
        var finetuned = new Option<string?>("--finetuned-model") { Description = $"A decoder finetuned from --model, with its .quantizer beside it{ShippedOrNone}" };
        var finetunedSet = new Option<string?>("--finetuned-set-model") { Description = $"A decoder of --model finetuned on a sampled set of bitrates, with its .quantizer beside it; scored at every --kbps{ShippedOrNone}" };
        var e2e = new Option<string?>("--e2e-model") { Description = $"An E2E codec of --model's architecture, with its .quantizer beside it{ShippedOrNone}" };
        var train = new Option<bool>("--train") { Description = "Train the continuous, finetuned and E2E models instead of loading the shipped ones" };
        var steps = new Option<int?>("--train-steps") { Description = "With --train: steps for the continuous model and for finetuning" };
        var methods = new Option<string?>("--methods") { Description = $"Comma-separated quantizer methods (default: {string.Join(",", defaults.Methods)})" };
        var kbps = new Option<string>("--kbps") { Description = "Comma-separated target bitrates", DefaultValueFactory = _ => string.Join(",", defaults.Kbps) };
        var iterations = new Option<int>("--kmeans-iterations") { Description = "k-means iterations per codebook", DefaultValueFactory = _ => defaults.KMeansIterations };
        var zeroEntry = new Option<bool>("--zero-entry") { Description = "Keep entry 0 of every residual stage at the zero vector (digital silence stays exact)" };
        var maxTrain = new Option<long>("--max-train-frames") { Description = "Fit quantizers on at most this many latent frames", DefaultValueFactory = _ => defaults.MaxTrainFrames };
        var codebookSize = new Option<int?>("--codebook-size") { Description = "Entries per codebook (default: 1024, fewer when the fit set is small)" };
        var force = new Option<string[]>("--force") { Description = "Re-run these stages even if up to date (model, latents, quantizers, finetune, finetune-set, e2e, evaluation, report)", AllowMultipleArgumentsPerToken = true };
        var threads = ThreadsOption.Create();
        var command = new Command("pipeline", "Run the paper end to end: model, latents, quantizer comparison, finetuning and E2E (with --train or given models), evaluation and report")
        {
            output, data, model, finetuned, finetunedSet, e2e, train, steps, methods, kbps, iterations, zeroEntry, maxTrain, codebookSize, force, threads,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            var shippedModel = !parse.GetValue(train) && parse.GetValue(model) == defaults.Model;
            var options = defaults with
            {
                Data = parse.GetValue(data)!,
                Model = parse.GetValue(model)!,
                FinetunedModel = CodecChoice(parse.GetValue(finetuned), PaperPipelineOptions.ShippedFinetunedModel, shippedModel),
                FinetunedSetModel = CodecChoice(parse.GetValue(finetunedSet), PaperPipelineOptions.ShippedFinetunedSetModel, shippedModel),
                E2EModel = CodecChoice(parse.GetValue(e2e), PaperPipelineOptions.ShippedE2EModel, shippedModel),
                Train = parse.GetValue(train),
                TrainSteps = parse.GetValue(steps),
                Methods = parse.GetValue(methods) is { } list ? QuantizeCommand.ParseMethods(list) : defaults.Methods,
                Kbps = QuantizeCommand.ParseKbps(parse.GetValue(kbps)!),
                KMeansIterations = parse.GetValue(iterations),
                ZeroEntry = parse.GetValue(zeroEntry),
                MaxTrainFrames = parse.GetValue(maxTrain),
                CodebookSize = parse.GetValue(codebookSize),
            };
            var runFolder = parse.GetValue(output)!;
            var pipeline = new PaperPipeline(options, runFolder);
            pipeline.Validate();
            var guard = new OutputGuard().ReadsCorpus("--data", options.Data).ReadsModel("--model", options.Model);
            foreach (var (option, codec) in new[] { ("--finetuned-model", options.FinetunedModel), ("--finetuned-set-model", options.FinetunedSetModel), ("--e2e-model", options.E2EModel) })
                if (codec is not null) guard.ReadsModel(option, codec).ReadsFile(option, PaperPipelineOptions.QuantizerOf(codec), "quantizer");
            // A stage folder is replaced whole when it reruns, so no input may live in one.
            guard.WritesInto("--out", runFolder, [.. pipeline.Stages().Select(s => s.Name), PipelineRunner.ErrorLogName]);
            using var runLock = TrainCommand.LockRunFolder(runFolder);
            if (options.Train) AnnounceTrainingCost(options);
            var runner = new PipelineRunner(runFolder, (parse.GetValue(force) ?? []).ToHashSet());
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var stages = pipeline.Stages();
            // Training stages draw their own progress bars, and Spectre allows one live display at a time.
            IReadOnlyList<StageOutcome> outcomes;
            try
            {
                outcomes = options.Train
                    ? PipelineDisplay.RunPlain(stages, observer => runner.Run(stages, observer))
                    : PipelineDisplay.Run(stages, observer => runner.Run(stages, observer));
            }
            catch (StoppedBySignalException stopped)
            {
                AnsiConsole.MarkupLine("Pipeline stopped in a training stage; finished stages are kept, and a rerun starts that stage again.");
                return stopped.ExitCode;
            }
            AnsiConsole.MarkupLine($"Pipeline finished in {clock.Elapsed.TotalMinutes:F1} min. Report: [link]{Markup.Escape(Path.GetFullPath(Path.Combine(runFolder, "report", "index.html")))}[/]");
            return outcomes.Count == stages.Count ? 0 : 1;
        }));
        return command;
    }

    const string ShippedOrNone = "; by default the one shipped with the default --model, if any; \"none\" leaves the rows out";

    /// <summary>The codec an option names, none for "none", and when not given <paramref name="shipped"/> if <paramref name="shippedModel"/> and it exists.</summary>
    internal static string? CodecChoice(string? given, string shipped, bool shippedModel)
    {
        if (given is not null) return given.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : given;
        return shippedModel && File.Exists(shipped) ? shipped : null;
    }

    /// <summary>Says what --train will cost before it starts, from the config's steps and this machine's measured speeds.</summary>
    static void AnnounceTrainingCost(PaperPipelineOptions options)
    {
        var config = Training.ExperimentConfig.Load(options.Config);
        var steps = options.TrainSteps ?? config.Training.Steps;
        var t = config.Training;
        var adversarialSteps = t.Adversarial ? Math.Max(0, steps - t.AdversarialWarmupSteps) : 0;
        // Seconds per step on 2 CPU cores (bench train and the shipped runs, data/models/MODEL.md): the MDCT tiny-cpu
        // takes ~1.0 s without discriminators and ~3.3 s with them; the waveform family ~1.7 s with them.
        var (reconstruction, adversarial) = config.Model.Kind == Nn.ModelKinds.Mdct ? (1.0, 3.3) : (1.7, 1.7);
        var total = 3.0 * ((steps - adversarialSteps) * reconstruction + adversarialSteps * adversarial);
        AnsiConsole.MarkupLine($"[yellow]--train[/]: the continuous model, finetuning and an E2E baseline with an equal budget, about {3 * steps} steps in all: "
            + $"roughly {total / 3600:F1} h on 2 CPU cores with {Markup.Escape(options.Config)}; a GPU is much faster.");
    }
}
