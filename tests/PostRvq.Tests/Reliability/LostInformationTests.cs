using PostRvq.Audio;
using PostRvq.Pipeline;
using PostRvq.Training;

namespace PostRvq.Tests.Reliability;

/// <summary>Issue 14, item 17: errors that used to lose information now keep it.</summary>
[Collection(SerialCollection.Name)]
public class LostInformationTests
{
    sealed class Quiet : IPipelineObserver
    {
        public List<string> Ran { get; } = [];
        public void StageStarting(int index, int count, PipelineStage stage, bool skipping)
        {
            if (!skipping) Ran.Add(stage.Name);
        }
        public void StageProgress(PipelineStage stage, StageProgress progress) { }
        public void StageFinished(StageOutcome outcome) { }
    }

    [Fact]
    public void AnEmptyTrainingClipIsNamedByItsFile()
    {
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var empty = Path.Combine(data, "silent-nothing.wav");
        WavWriter.Write(empty, new AudioClip([], TinyExperiment.SampleRate));

        var (code, _, error) = CliRunner.Run("train", "--config", TinyCli.Config(folder), "--data", data, "--out", folder.File("run"));

        Assert.Equal(1, code);
        Assert.Contains($"{empty}: training clip 'silent-nothing' holds no samples", error);
    }

    [Fact]
    public void AFailedStageKeepsItsFullTraceInTheRunFolder()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        PipelineStage[] stages = [new("broken", "fails deep down", new { }, [], _ => DeepDown())];

        var failure = Assert.Throws<PipelineStageException>(() => new PipelineRunner(run, new HashSet<string>()).Run(stages, new Quiet()));

        var log = Path.Combine(run, PipelineRunner.ErrorLogName);
        Assert.Contains($"The full error is in {log}", failure.Message);
        var trace = File.ReadAllText(log);
        Assert.Contains("the real cause", trace);
        Assert.Contains(nameof(DeepDown), trace);
    }

    static void DeepDown() => throw new InvalidOperationException("outer", new FormatException("the real cause"));

    [Fact]
    public void ACorruptStageRecordIsRefusedByNameAndForceRedoesTheStage()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        PipelineStage[] stages = [new("latents", "writes a file", new { }, [], c => File.WriteAllText(Path.Combine(c.Folder, "out.txt"), "x"))];
        new PipelineRunner(run, new HashSet<string>()).Run(stages, new Quiet());
        var record = Path.Combine(run, "latents", StageRecord.FileName);
        File.WriteAllText(record, "{\"Stage\": \"latents\", \"Fingerp");

        var refused = Assert.Throws<InvalidDataException>(() => new PipelineRunner(run, new HashSet<string>()).Run(stages, new Quiet()));
        Assert.Contains($"{record}: the stage record is corrupt", refused.Message);
        Assert.Contains("--force latents", refused.Message);

        var forced = new Quiet();
        new PipelineRunner(run, new HashSet<string> { "latents" }).Run(stages, forced);
        Assert.Equal(["latents"], forced.Ran);
        Assert.NotNull(StageRecord.TryRead(Path.Combine(run, "latents")));
    }

    [Fact]
    public void TrainingLogCountsTheLinesItCannotRead()
    {
        using var folder = new TempFolder();
        var log = new TrainingLog(folder.Path);
        log.Append("train", 1, new Dictionary<string, double> { ["loss"] = 1 });
        File.AppendAllText(log.FilePath, "not json at all\n");
        log.Append("train", 2, new Dictionary<string, double> { ["loss"] = 2 });
        log.Append("train", 3, new Dictionary<string, double> { ["loss"] = 3 });
        File.AppendAllText(log.FilePath, "{\"kind\":\"train\",\"st");

        var unreadable = log.TruncateAfter(2);

        Assert.Equal(2, unreadable);
        Assert.Equal([1.0, 2.0], TrainingLog.Read(log.FilePath, "train").Select(r => r["step"]));
    }

    [Fact]
    public void AResumedRunReportsTheLogLinesItDropped()
    {
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var run = TinyCli.TrainedRun(folder, data);
        File.AppendAllText(Path.Combine(run, TrainingLog.FileName), "{\"kind\":\"train\",\"st");

        var (code, output, error) = CliRunner.Run("train", "--config", TinyCli.Config(folder, steps: 4), "--data", data, "--out", run);

        Assert.True(code == 0, error);
        Assert.Contains("log.jsonl: dropped 1 unreadable line(s)", TinyCli.Flat(output));
    }
}
