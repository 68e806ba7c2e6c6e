using PostRvq.Codecs;
using PostRvq.Training;

namespace PostRvq.Tests.Reliability;

/// <summary>
/// Issue 14, data loss: no command writes over one of its own inputs, symbolic links included. Each test runs the
/// command the issue reports and checks that it is refused with one line naming the option, and that the input is intact.
/// </summary>
[Collection(SerialCollection.Name)]
public class DataLossTests
{
    static readonly string ShippedModel = RepositoryFiles.Path("data", "models", "tiny-cpu.model");

    [Fact]
    public void ExportOverItsOwnCheckpointIsRefusedAndTheRunStillResumes()
    {
        using var folder = new TempFolder();
        var run = TinyCli.TrainedRun(folder, TinyCli.Corpus(folder));
        var checkpoint = Path.Combine(run, Checkpoint.FileName);
        var before = File.ReadAllBytes(checkpoint);

        var (code, _, error) = CliRunner.Run("export", "--checkpoint", checkpoint, "--out", checkpoint);

        Assert.Equal(1, code);
        Assert.Contains($"--out {checkpoint} would overwrite the checkpoint {checkpoint} (--checkpoint)", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
        Assert.Equal(3, Checkpoint.ReadInfo(checkpoint).Step);
    }

    [Fact]
    public void ExportThroughASymlinkToTheCheckpointIsRefused()
    {
        using var folder = new TempFolder();
        var run = TinyCli.TrainedRun(folder, TinyCli.Corpus(folder));
        var checkpoint = Path.Combine(run, Checkpoint.FileName);
        var link = folder.File("innocent.model");
        File.CreateSymbolicLink(link, checkpoint);
        var before = File.ReadAllBytes(checkpoint);

        var (code, _, error) = CliRunner.Run("export", "--checkpoint", run, "--out", link);

        Assert.Equal(1, code);
        Assert.Contains("would overwrite the checkpoint", error);
        Assert.Contains("through a link", error);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--csv")]
    public void EvaluateRefusesToWriteItsResultsOverTheModel(string option)
    {
        using var folder = new TempFolder();
        var model = folder.File("m.model");
        File.Copy(ShippedModel, model);
        var before = File.ReadAllBytes(model);

        var (code, _, error) = CliRunner.Run("evaluate", "--model", model, "--data", TinyCli.Corpus(folder), option, model);

        Assert.Equal(1, code);
        Assert.Contains($"{option} {model} would overwrite the model {model} (--model)", error);
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void EvaluateRefusesToWriteInsideItsCorpusButReplacesAnyOtherExistingFile()
    {
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var inside = Path.Combine(data, "scores.json");
        var (code, _, error) = CliRunner.Run("evaluate", "--model", ShippedModel, "--data", data, "--json", inside);
        Assert.Equal(1, code);
        Assert.Contains($"--json {inside} is inside the corpus {data} (--data)", error);
        Assert.False(File.Exists(inside));

        // The documented convention: an existing output that is not an input is replaced, atomically.
        var elsewhere = folder.File("scores.json");
        File.WriteAllText(elsewhere, "old");
        var (again, _, againError) = CliRunner.Run("evaluate", "--model", ShippedModel, "--data", data, "--json", elsewhere);
        Assert.True(again == 0, againError);
        Assert.Contains("\"mean\"", File.ReadAllText(elsewhere));
    }

    [Fact]
    public void FinetuneWithModelOutEqualToModelIsRefusedBeforeAnyTraining()
    {
        using var folder = new TempFolder();
        var model = folder.File("m.model");
        File.Copy(ShippedModel, model);
        var quantizer = folder.File("q.quantizer");
        var before = File.ReadAllBytes(model);

        var (code, _, error) = CliRunner.Run("finetune", "--model", model, "--quantizer", quantizer, "--fit-quantizer",
            "--data", TinyCli.Corpus(folder), "--out", folder.File("ft"), "--steps", "1", "--model-out", model);

        Assert.Equal(1, code);
        Assert.Contains($"--model-out {model} would overwrite the model {model} (--model)", error);
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.False(File.Exists(quantizer), "nothing may be fitted or written before the refusal");
    }

    [Fact]
    public void FinetuneIntoTheRunFolderItStartsFromIsRefused()
    {
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var run = TinyCli.TrainedRun(folder, data);
        var checkpoint = Path.Combine(run, Checkpoint.FileName);
        var before = File.ReadAllBytes(checkpoint);

        var (code, _, error) = CliRunner.Run("finetune", "--model", run, "--quantizer", folder.File("q.quantizer"), "--data", data, "--out", run);

        Assert.Equal(1, code);
        Assert.Contains($"would overwrite the checkpoint {checkpoint} (--model)", error);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void TrainRefusesARunFolderInsideItsCorpusAndAConfigItWouldRewrite()
    {
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var config = TinyCli.Config(folder);
        var (code, _, error) = CliRunner.Run("train", "--config", config, "--data", data, "--out", Path.Combine(data, "run"));
        Assert.Equal(1, code);
        Assert.Contains("is inside the corpus", error);
        Assert.False(Directory.Exists(Path.Combine(data, "run")));

        var run = folder.File("own");
        Directory.CreateDirectory(run);
        var ownConfig = Path.Combine(run, "config.json");
        File.Copy(config, ownConfig);
        var text = File.ReadAllText(ownConfig);
        var (again, _, againError) = CliRunner.Run("train", "--config", ownConfig, "--data", data, "--out", run, "--steps", "5");
        Assert.Equal(1, again);
        Assert.Contains($"would overwrite the config {ownConfig} (--config)", againError);
        Assert.Equal(text, File.ReadAllText(ownConfig));
    }

    [Fact]
    public void LatentsAndBundleRefuseToWriteOverTheModelTheyRead()
    {
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var model = folder.File("latents.safetensors");
        File.Copy(ShippedModel, model);
        var (code, _, error) = CliRunner.Run("latents", "--model", model, "--data", data, "--out", folder.Path);
        Assert.Equal(1, code);
        Assert.Contains("would overwrite the model", error);

        var (bundle, _, bundleError) = CliRunner.Run("bundle", "--model", model, "--out", model);
        Assert.Equal(1, bundle);
        Assert.Contains($"--out {model} would overwrite the model {model} (--model)", bundleError);
        Assert.Equal(File.ReadAllBytes(ShippedModel), File.ReadAllBytes(model));
    }
}
