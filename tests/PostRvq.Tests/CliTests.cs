using PostRvq.Cli;
using Spectre.Console;

namespace PostRvq.Tests;

/// <summary>The command line, run in process; console redirection is global, so these run one at a time.</summary>
[Collection(SerialCollection.Name)]
public class CliTests
{
    static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void TrainWithAMissingDataFolderSaysWhichPath()
    {
        using var run = new TempFolder();
        var (code, _, error) = Run("train", "--config", "tiny-cpu", "--data", "/no/such/corpus", "--out", run.File("r"));
        Assert.Equal(1, code);
        Assert.Contains("/no/such/corpus", error);
    }

    [Fact]
    public void TrainWithAnUnknownConfigKeyNamesTheKey()
    {
        using var folder = new TempFolder();
        var config = folder.File("c.json");
        File.WriteAllText(config, """{ "model": { "latentDimz": 3 } }""");
        var (code, _, error) = Run("train", "--config", config, "--data", folder.Path, "--out", folder.File("r"));
        Assert.Equal(1, code);
        Assert.Contains("latentDimz", error);
    }

    [Fact]
    public void TrainWithAnEmptyCorpusSaysItIsEmpty()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("empty"));
        var (code, _, error) = Run("train", "--config", "tiny-cpu", "--data", folder.File("empty"), "--out", folder.File("r"));
        Assert.Equal(1, code);
        Assert.Contains("empty", error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("3,x", "--kbps-set: 'x' is not a positive number")]
    [InlineData("16,-3", "--kbps-set: '-3' is not a positive number")]
    [InlineData(",", "--kbps-set is empty")]
    public void FinetuneWithABadBitrateSetNamesTheFlagAndTheValue(string set, string expected)
    {
        using var folder = new TempFolder();
        var (code, _, error) = Run("finetune", "--model", RepositoryFiles.Path("data", "models", "tiny-cpu.model"), "--quantizer", folder.File("q.quantizer"),
            "--data", folder.Path, "--out", folder.File("r"), "--kbps-set", set);
        Assert.Equal(1, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(folder.File("r")));
    }

    [Fact]
    public void ReconstructWithAMissingModelSaysWhichPath()
    {
        using var folder = new TempFolder();
        var (code, _, error) = Run("reconstruct", "--model", folder.File("none.model"), "--in", folder.Path, "--out", folder.File("o"));
        Assert.Equal(1, code);
        Assert.Contains("none.model", error);
    }

    [Fact]
    public void TrainRunsAndReconstructWritesWavAtTheModelRate()
    {
        using var folder = new TempFolder();
        var data = folder.File("data");
        Directory.CreateDirectory(data);
        var clips = Audio.SyntheticAudio.Clips(3, 0.6, 16000);
        for (var i = 0; i < clips.Count; i++) Audio.WavWriter.Write(Path.Combine(data, $"clip{i}.wav"), clips[i]);
        var configPath = folder.File("tiny.json");
        File.WriteAllText(configPath, TinyExperiment.Config(3, adversarial: false).ToJson());

        var (code, output, error) = Run("train", "--config", configPath, "--data", data, "--out", folder.File("run"));
        Assert.True(code == 0, error);
        Assert.Contains("Done", output);

        var (reconstructCode, table, reconstructError) = Run("reconstruct", "--model", folder.File("run"), "--in", data, "--out", folder.File("out"));
        Assert.True(reconstructCode == 0, reconstructError);
        Assert.Contains("clip2.wav", table);
        var written = Audio.AudioFile.Read(Path.Combine(folder.File("out"), "clip0.wav"));
        Assert.Equal(TinyExperiment.SampleRate, written.SampleRate);
        Assert.Equal(0.6 * TinyExperiment.SampleRate, written.Length, 1);

        var (again, _, refuse) = Run("reconstruct", "--model", folder.File("run"), "--in", Path.Combine(data, "clip0.wav"), "--out", Path.Combine(data, "clip0.wav"));
        Assert.Equal(1, again);
        Assert.Contains("overwrite", refuse);
    }
}

/// <summary>
/// Tests that touch process-wide state (the console, torch's global RNG when seeding a model) run alone, not in
/// parallel with anything else, so another test's random draws cannot change their initial weights.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class SerialCollection
{
    public const string Name = "serial";
}
