using PostRvq.Cli;
using PostRvq.Cli.Pipeline;
using PostRvq.Evaluation;
using PostRvq.Latents;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Tests;

/// <summary>`postrvq latents`, `quantize` and `bench quantize` in process; console redirection is global, so these run alone.</summary>
[Collection(SerialCollection.Name)]
public class QuantizeCliTests
{
    static readonly string ModelPath = RepositoryFiles.Path("data", "models", "tiny-cpu.model");
    static readonly string SamplesPath = RepositoryFiles.Path("data", "samples");

    static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Pipeline_RefusesAMissingDataFolderAndNamesIt()
    {
        using var folder = new TempFolder();
        var missing = folder.File("no-such-corpus");
        var (code, _, error) = Run("pipeline", "--data", missing, "--out", folder.File("run"));
        Assert.Equal(1, code);
        Assert.Contains(missing, error);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Fact]
    public void Pipeline_RefusesAFinetunedModelOfAnotherFamily()
    {
        using var folder = new TempFolder();
        var waveform = RepositoryFiles.Path("data", "models", "tiny-cpu-waveform-finetuned-16k.model");
        var (code, _, error) = Run("pipeline", "--data", SamplesPath, "--model", ModelPath, "--finetuned-model", waveform, "--out", folder.File("run"));
        Assert.Equal(1, code);
        Assert.Contains("would not compare", error);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Fact]
    public void Pipeline_RunsFinetunedAndE2EStagesOnlyForGivenOrTrainedModels()
    {
        static string[] Names(PaperPipelineOptions options) => new PaperPipeline(options, "run").Stages().Select(s => s.Name).ToArray();
        Assert.Equal(["model", "latents", "quantizers", "report"], Names(new PaperPipelineOptions()));
        Assert.Equal(["model", "latents", "quantizers", "e2e", "evaluation", "report"], Names(new PaperPipelineOptions { E2EModel = "e2e.model" }));
        string[] all = ["model", "latents", "quantizers", "finetune", "e2e", "evaluation", "report"];
        Assert.Equal(all, Names(new PaperPipelineOptions { FinetunedModel = "ft.model", E2EModel = "e2e.model" }));
        Assert.Equal(all, Names(new PaperPipelineOptions { Train = true }));
        // A decoder finetuned on a set of bitrates is scored only when given, beside the others.
        Assert.Equal(["model", "latents", "quantizers", "finetune-set", "evaluation", "report"], Names(new PaperPipelineOptions { FinetunedSetModel = "set.model" }));
        Assert.Equal(["model", "latents", "quantizers", "finetune", "finetune-set", "e2e", "evaluation", "report"],
            Names(new PaperPipelineOptions { FinetunedModel = "ft.model", FinetunedSetModel = "set.model", E2EModel = "e2e.model" }));
    }

    [Fact]
    public void Pipeline_ScoresTheFrozenDecoderBehindTheFinetunedDecodersQuantizer()
    {
        using var folder = new TempFolder();
        var options = new PaperPipelineOptions
        {
            Data = SamplesPath, Model = ModelPath, FinetunedModel = RepositoryFiles.Path("data", "models", "tiny-cpu-finetuned-16k.model"),
            Methods = ["srvq"], Kbps = [16], KMeansIterations = 2, MaxTrainFrames = 2000,
        };
        var run = folder.File("run");
        // Every stage up to the evaluation; the report only draws these rows.
        var stages = new PaperPipeline(options, run).Stages().Where(s => s.Name != "report").ToList();
        new Pipeline.PipelineRunner(run, new HashSet<string>()).Run(stages, new SilentObserver());

        var rows = ComparisonCsv.Read(Path.Combine(run, "evaluation", PaperPipeline.RowsFileName));
        var finetuned = Assert.Single(rows, r => r.Method == Claims.Finetuned);
        var frozen = Assert.Single(rows, r => r.Method == Claims.Frozen);
        Assert.Equal(16, frozen.TargetKbps);
        Assert.Equal(finetuned.Clips.Count, frozen.Clips.Count);
        // Both decode the same codes: the quantizer shipped with the finetuned decoder.
        Assert.Equal(finetuned.LatentMse, frozen.LatentMse);
    }

    sealed class SilentObserver : Pipeline.IPipelineObserver
    {
        public void StageStarting(int index, int count, Pipeline.PipelineStage stage, bool skipping) { }
        public void StageProgress(Pipeline.PipelineStage stage, Pipeline.StageProgress progress) { }
        public void StageFinished(Pipeline.StageOutcome outcome) { }
    }

    [Fact]
    public void Pipeline_TakesAShippedCodecOnlyForTheShippedModel()
    {
        var shipped = PaperPipelineOptions.ShippedFinetunedModel;
        Assert.Equal("data/models/tiny-cpu-finetuned-16k.model", shipped);
        Assert.Null(PostRvq.Cli.Commands.PipelineCommand.CodecChoice("none", shipped, shippedModel: true));
        Assert.Equal("mine.model", PostRvq.Cli.Commands.PipelineCommand.CodecChoice("mine.model", shipped, shippedModel: true));
        // Another --model, or --train, makes its own rows: a codec of the shipped model would not compare.
        Assert.Null(PostRvq.Cli.Commands.PipelineCommand.CodecChoice(null, shipped, shippedModel: false));
    }

    [Fact]
    public void LatentsThenQuantize_WritesResultsAndQuantizers()
    {
        using var folder = new TempFolder();
        var latents = folder.File("latents");
        var (code, output, error) = Run("latents", "--model", ModelPath, "--data", SamplesPath, "--split", "train", "--max-clips", "1", "--out", latents);
        Assert.True(code == 0, error);
        Assert.Contains("225 frames × 64", output);
        using (var set = LatentSetFile.Load(latents))
        {
            Assert.Equal("train", set.Split);
            Assert.Equal(ModelFile.IdOf(ModelPath), set.ModelId);
        }

        // 32-entry codebooks at 75 Hz cost 0.375 kbps each: 3 kbps buys 8 of them, 10 kbps buys 26.
        var results = folder.File("results");
        (code, output, error) = Run("quantize", "--latents", latents, "--model", ModelPath, "--data", SamplesPath, "--methods", "rvq,srvq",
            "--kbps", "3,10", "--kmeans-iterations", "2", "--codebook-size", "32", "--max-clips", "1", "--crop-seconds", "0.5", "--out", results);
        Assert.True(code == 0, error);
        Assert.Contains("quantizers on fixed latents", output);
        var rows = ComparisonCsv.Read(Path.Combine(results, "results.csv"));
        Assert.Equal(["continuous", "rvq", "rvq", "srvq", "srvq"], rows.Select(r => r.Method));
        Assert.Equal([8, 26], rows.Where(r => r.Method == "rvq").Select(r => r.Codebooks));
        Assert.All(rows.Skip(1), r => Assert.True(r.Kbps <= r.TargetKbps && r.Clips.Count == 1 && r.Split == "test"));
        // Every row carries the shipped model's steps (read from its file: the model will be retrained).
        var (model, info) = Training.ModelFile.Load(ModelPath);
        model.Dispose();
        Assert.All(rows, r => Assert.Equal(info.Steps, r.TrainingSteps));
        Assert.True(File.Exists(Path.Combine(results, "quantizers", "rvq.quantizer")));
        Assert.True(File.Exists(Path.Combine(results, "quantizers", "srvq.quantizer")));
    }

    [Fact]
    public void InspectShowsAQuantizersKindCodebooksAndProvenance()
    {
        var shipped = RepositoryFiles.Path("data", "models", "tiny-cpu-waveform-e2e.quantizer");
        var (code, output, error) = Run("inspect", "--quantizer", shipped);
        Assert.True(code == 0, error);
        Assert.Contains("rvq: 32 code streams of 1024 entries for 64-d latents, 320 bits per frame", output);
        Assert.Contains("trainedBy: e2e", output);
        (code, _, error) = Run("inspect");
        Assert.Equal(1, code);
        Assert.Contains("give one of --model and --quantizer", error);
    }

    [Fact]
    public void QuantizeWithAMissingLatentsFolderSaysWhichPath()
    {
        using var folder = new TempFolder();
        var (code, _, error) = Run("quantize", "--latents", folder.File("no-latents"), "--model", ModelPath, "--data", SamplesPath, "--out", folder.File("r"));
        Assert.Equal(1, code);
        Assert.Contains("no-latents", error);
    }

    [Fact]
    public void QuantizeWithAnUnknownMethodListsTheAvailableOnes()
    {
        using var folder = new TempFolder();
        var (code, _, error) = Run("quantize", "--latents", folder.Path, "--model", ModelPath, "--data", SamplesPath, "--methods", "rvq,magic", "--out", folder.File("r"));
        Assert.Equal(1, code);
        Assert.Contains("'magic'", error);
        Assert.Contains("srvq", error);
    }

    [Fact]
    public void LatentsWithAnUnknownSplitOrMissingModelFails()
    {
        using var folder = new TempFolder();
        var (code, _, error) = Run("latents", "--model", ModelPath, "--data", SamplesPath, "--split", "training", "--out", folder.Path);
        Assert.Equal(1, code);
        Assert.Contains("training", error);
        (code, _, error) = Run("latents", "--model", folder.File("none.model"), "--data", SamplesPath, "--out", folder.Path);
        Assert.Equal(1, code);
        Assert.Contains("none.model", error);
    }

    [Fact]
    public void BenchQuantizeRunsOnASmallProblem()
    {
        var (code, output, error) = Run("bench", "quantize", "--n", "600", "--dim", "4", "--stages", "2", "--codes", "8", "--iterations", "3", "--repeats", "1");
        Assert.True(code == 0, error);
        Assert.Contains("RVQ encode", output);
        Assert.Contains("100.000 %", output);
    }

    [Fact]
    public void BenchQuantizeTimesTheNaiveReferenceOnASubsampleAndScalesIt()
    {
        var (code, output, error) = Run("bench", "quantize", "--n", "600", "--dim", "4", "--stages", "2", "--codes", "8", "--iterations", "3", "--repeats", "1",
            "--reference-n", "200");
        Assert.True(code == 0, error);
        Assert.Contains("naive reference timed on 200 vectors and scaled ×3", output);
        Assert.Contains("RVQ code agreement | 100.000 %", output);
    }

    [Fact]
    public void BenchQuantizeRejectsAReferenceSmallerThanTheCodebook()
    {
        var (code, _, error) = Run("bench", "quantize", "--n", "600", "--dim", "4", "--codes", "8", "--reference-n", "4");
        Assert.NotEqual(0, code);
        Assert.Contains("--reference-n", error);
    }
}
