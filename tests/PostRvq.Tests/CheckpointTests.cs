using PostRvq.Codecs;
using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Tests;

[Collection(SerialCollection.Name)]
public class CheckpointTests
{
    [Fact]
    public void CheckpointRoundTripsBitExactly()
    {
        using var run = new TempFolder();
        using var other = new TempFolder();
        var config = TinyExperiment.Config(2);
        using var trainer = new ContinuousTrainer(config, TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        trainer.Run();
        // A fresh trainer starts from the initial weights; only a faithful load makes it equal the trained one.
        using var restored = new ContinuousTrainer(config, TinyExperiment.Train, TinyExperiment.Valid, other.Path);
        File.Copy(trainer.CheckpointPath, restored.CheckpointPath);
        Assert.True(restored.Resume());
        AssertSameState(trainer.Model, restored.Model);
        AssertSameState(trainer.Discriminator, restored.Discriminator);
        restored.SaveCheckpoint();
        var original = Checkpoint.ReadInfo(trainer.CheckpointPath);
        var resaved = Checkpoint.ReadInfo(restored.CheckpointPath);
        Assert.Equal(original.Step, resaved.Step);
        Assert.Equal(original.CropRngState, resaved.CropRngState);
        Assert.Equal(original.Config.ToJson(), resaved.Config.ToJson());
    }

    [Fact]
    public void TruncatedCorruptAndForeignFilesAreRefusedByName()
    {
        using var run = new TempFolder();
        using (var trainer = new ContinuousTrainer(TinyExperiment.Config(1, adversarial: false), TinyExperiment.Train, TinyExperiment.Valid, run.Path))
            trainer.Run();
        var path = Path.Combine(run.Path, Checkpoint.FileName);
        var bytes = File.ReadAllBytes(path);

        var truncated = run.File("truncated.ckpt");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadInfo(truncated));
        Assert.Contains(truncated, error.Message);
        Assert.Contains("truncated or corrupt", error.Message);

        var corrupt = run.File("corrupt.ckpt");
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(corrupt, flipped);
        Assert.Contains("SHA-256", Assert.Throws<InvalidDataException>(() => Checkpoint.ReadInfo(corrupt)).Message);

        var foreign = run.File("foreign.ckpt");
        File.WriteAllText(foreign, "this is not a checkpoint at all");
        Assert.Contains("not a PostRvq checkpoint", Assert.Throws<InvalidDataException>(() => Checkpoint.ReadInfo(foreign)).Message);

        Assert.Contains("no such", Assert.Throws<InvalidDataException>(() => Checkpoint.ReadInfo(run.File("missing.ckpt"))).Message);
    }

    [Fact]
    public void ModelFileRoundTripsAndRefusesACheckpointInItsPlace()
    {
        using var run = new TempFolder();
        using var trainer = new ContinuousTrainer(TinyExperiment.Config(1, adversarial: false), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        trainer.Run();
        var modelPath = run.File("tiny.model");
        ModelFile.Save(modelPath, trainer.Model, new ModelInfo { Options = trainer.Config.Model, Config = "test-tiny", Steps = 1 });
        var (model, info) = ModelFile.Load(modelPath);
        using (model)
        {
            Assert.Equal(1, info.Steps);
            AssertSameState(trainer.Model, model);
        }
        var (fromRun, runInfo) = ModelFile.Load(run.Path);
        using (fromRun)
        {
            Assert.Equal(1, runInfo.Steps);
            AssertSameState(trainer.Model, fromRun);
        }
        var wrong = run.File("wrong.model");
        File.Copy(trainer.CheckpointPath, wrong);
        Assert.Contains("not a PostRvq model", Assert.Throws<InvalidDataException>(() => ModelFile.Load(wrong)).Message);
    }

    static void AssertSameState(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (key, tensor) in a)
            Assert.True(tensor.shape.SequenceEqual(b[key].shape) && tensor.eq(b[key]).all().item<bool>(), $"{key} differs");
    }
}
