using PostRvq.Pipeline;

namespace PostRvq.Tests;

public class PipelineRunnerTests
{
    sealed class Recorder : IPipelineObserver
    {
        public List<string> Ran { get; } = [];
        public List<string> Skipped { get; } = [];
        public void StageStarting(int index, int count, PipelineStage stage, bool skipping) => (skipping ? Skipped : Ran).Add(stage.Name);
        public void StageProgress(PipelineStage stage, StageProgress progress) { }
        public void StageFinished(StageOutcome outcome) { }
    }

    static List<PipelineStage> Stages(string runFolder, string input, int option, bool failSecond = false) =>
    [
        new("first", "copy the input", new { option }, [input],
            c => File.WriteAllText(Path.Combine(c.Folder, "out.txt"), File.ReadAllText(input) + option)),
        new("second", "read the first stage", new { }, [Path.Combine(runFolder, "first")], c =>
        {
            if (failSecond) throw new IOException("No space left on device");
            File.WriteAllText(Path.Combine(c.Folder, "out.txt"), File.ReadAllText(Path.Combine(runFolder, "first", "out.txt")) + "!");
        }),
    ];

    [Fact]
    public void SecondRunSkipsEverything_AndAChangedInputRerunsDownstream()
    {
        using var folder = new TempFolder();
        var input = folder.File("input.txt");
        File.WriteAllText(input, "a");
        var run = folder.File("run");
        var first = new Recorder();
        new PipelineRunner(run, new HashSet<string>()).Run(Stages(run, input, 1), first);
        Assert.Equal(["first", "second"], first.Ran);
        Assert.Equal("a1!", File.ReadAllText(Path.Combine(run, "second", "out.txt")));

        var again = new Recorder();
        new PipelineRunner(run, new HashSet<string>()).Run(Stages(run, input, 1), again);
        Assert.Equal(["first", "second"], again.Skipped);

        File.WriteAllText(input, "b");
        var changed = new Recorder();
        new PipelineRunner(run, new HashSet<string>()).Run(Stages(run, input, 1), changed);
        Assert.Equal(["first", "second"], changed.Ran);
        Assert.Equal("b1!", File.ReadAllText(Path.Combine(run, "second", "out.txt")));
    }

    [Fact]
    public void ForceRerunsOnlyTheNamedStage_AndUnknownNamesAreRefused()
    {
        using var folder = new TempFolder();
        var input = folder.File("input.txt");
        File.WriteAllText(input, "a");
        var run = folder.File("run");
        new PipelineRunner(run, new HashSet<string>()).Run(Stages(run, input, 1), new Recorder());
        var forced = new Recorder();
        new PipelineRunner(run, new HashSet<string> { "second" }).Run(Stages(run, input, 1), forced);
        Assert.Equal(["second"], forced.Ran);
        var error = Assert.Throws<ArgumentException>(() => new PipelineRunner(run, new HashSet<string> { "thrid" }).Run(Stages(run, input, 1), new Recorder()));
        Assert.Contains("thrid", error.Message);
    }

    [Fact]
    public void AFailedStageKeepsEarlierOutputs_AndARerunContinuesFromIt()
    {
        using var folder = new TempFolder();
        var input = folder.File("input.txt");
        File.WriteAllText(input, "a");
        var run = folder.File("run");
        var error = Assert.Throws<PipelineStageException>(() =>
            new PipelineRunner(run, new HashSet<string>()).Run(Stages(run, input, 1, failSecond: true), new Recorder()));
        Assert.Equal("second", error.Stage);
        Assert.Contains("disk is full", error.Message);
        Assert.True(File.Exists(Path.Combine(run, "first", "out.txt")));
        Assert.False(Directory.Exists(Path.Combine(run, "second")));

        var rerun = new Recorder();
        new PipelineRunner(run, new HashSet<string>()).Run(Stages(run, input, 1), rerun);
        Assert.Equal(["first"], rerun.Skipped);
        Assert.Equal(["second"], rerun.Ran);
    }

    [Fact]
    public void AMissingInputIsNamed()
    {
        using var folder = new TempFolder();
        var missing = folder.File("nope.wav");
        var error = Assert.Throws<FileNotFoundException>(() =>
            new PipelineRunner(folder.File("run"), new HashSet<string>()).Run(Stages(folder.File("run"), missing, 1), new Recorder()));
        Assert.Contains(missing, error.Message);
    }
}
