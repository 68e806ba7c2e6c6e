using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Tests;

[Collection(SerialCollection.Name)]
public class ContinuousTrainerTests
{
    [Fact]
    public void FiftyStepsOnGeneratedAudioLowerTheMelLoss()
    {
        using var run = new TempFolder();
        var config = TinyExperiment.Config(50, adversarial: false);
        using var trainer = new ContinuousTrainer(config, TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        var before = trainer.Validate().Mel;
        trainer.Run();
        var after = trainer.Validate().Mel;
        Assert.Equal(50, trainer.Step);
        Assert.True(after < before * 0.9, $"validation mel {before:F3} -> {after:F3}");
        var rows = TrainingLog.Read(trainer.LogPath, "train");
        Assert.Equal(50, rows.Count);
        Assert.True(rows.TakeLast(10).Average(r => r["mel"]) < rows.Take(10).Average(r => r["mel"]));
    }

    [Fact]
    public void AdversarialStepsReportEveryNamespacedLoss()
    {
        using var run = new TempFolder();
        using var trainer = new ContinuousTrainer(TinyExperiment.Config(2), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        var losses = trainer.TrainOneStep();
        foreach (var key in new[] { "mel", "stft", "adv/gen", "adv/feat", "adv/disc", "loss" })
            Assert.True(double.IsFinite(losses[key]), key);
    }

    [Fact]
    public void WarmupKeepsTheDiscriminatorsOutUntilItEnds()
    {
        using var run = new TempFolder();
        var config = TinyExperiment.Config(3);
        config = config with { Training = config.Training with { AdversarialWarmupSteps = 1 } };
        using var trainer = new ContinuousTrainer(config, TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        Assert.False(trainer.TrainOneStep().ContainsKey("adv/gen"));
        Assert.True(trainer.TrainOneStep().ContainsKey("adv/gen"));
    }

    [Fact]
    public void ResumedRunContinuesWithIdenticalLosses()
    {
        using var straight = new TempFolder();
        using var interrupted = new TempFolder();
        List<double> Losses(ContinuousTrainer t) => TrainingLog.Read(t.LogPath, "train").Select(r => r["loss"]).ToList();

        List<double> expected;
        using (var trainer = new ContinuousTrainer(TinyExperiment.Config(6, checkpointEvery: 3), TinyExperiment.Train, TinyExperiment.Valid, straight.Path))
        {
            trainer.Run();
            expected = Losses(trainer);
        }
        using (var first = new ContinuousTrainer(TinyExperiment.Config(3, checkpointEvery: 3), TinyExperiment.Train, TinyExperiment.Valid, interrupted.Path))
            first.Run();
        // A fresh process would start from a different torch RNG state; resume must not depend on it.
        manual_seed(12345);
        using var second = new ContinuousTrainer(TinyExperiment.Config(6, checkpointEvery: 3), TinyExperiment.Train, TinyExperiment.Valid, interrupted.Path);
        Assert.True(second.Resume());
        Assert.Equal(3, second.Step);
        second.Run();
        Assert.Equal(expected, Losses(second));
    }

    [Fact]
    public void ResumeTruncatesLogRowsWrittenAfterTheCheckpoint()
    {
        using var run = new TempFolder();
        using (var trainer = new ContinuousTrainer(TinyExperiment.Config(5, adversarial: false, checkpointEvery: 2), TinyExperiment.Train, TinyExperiment.Valid, run.Path))
            trainer.Run();
        // Steps 5 was logged but the last checkpoint is at step 5 too; remove it to mimic a crash after step 4's checkpoint.
        using (var trainer = new ContinuousTrainer(TinyExperiment.Config(5, adversarial: false, checkpointEvery: 2), TinyExperiment.Train, TinyExperiment.Valid, run.Path))
        {
            Assert.True(trainer.Resume());
            Assert.Equal(5, trainer.Step);
            Assert.Equal(5, TrainingLog.Read(trainer.LogPath, "train").Count);
        }
        var log = new TrainingLog(run.Path);
        log.TruncateAfter(2);
        Assert.Equal(new double[] { 1, 2 }, TrainingLog.Read(log.FilePath, "train").Select(r => r["step"]));
    }

    [Fact]
    public void ResumeRefusesACheckpointOfAnotherConfig()
    {
        using var run = new TempFolder();
        using (var trainer = new ContinuousTrainer(TinyExperiment.Config(1, adversarial: false), TinyExperiment.Train, TinyExperiment.Valid, run.Path))
            trainer.Run();
        var other = TinyExperiment.Config(2, adversarial: false);
        other = other with { Loss = other.Loss with { Mel = 1 } };
        using var resumed = new ContinuousTrainer(other, TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        var error = Assert.Throws<ConfigException>(() => resumed.Resume());
        Assert.Contains("loss", error.Message);
        Assert.Contains(Checkpoint.FileName, error.Message);
    }

    [Fact]
    public void ResumeMayMoveAnAdversarialStartThatNoStepHasReached()
    {
        using var run = new TempFolder();
        ExperimentConfig StartingAt(int warmup, int steps)
        {
            var config = TinyExperiment.Config(steps, checkpointEvery: 2);
            return config with { Training = config.Training with { AdversarialWarmupSteps = warmup } };
        }
        using (var trainer = new ContinuousTrainer(StartingAt(10, 2), TinyExperiment.Train, TinyExperiment.Valid, run.Path))
            trainer.Run();
        // Steps 1–2 were reconstruction-only under both schedules, so the start may move from 10 to 2.
        using (var earlier = new ContinuousTrainer(StartingAt(2, 3), TinyExperiment.Train, TinyExperiment.Valid, run.Path))
        {
            Assert.True(earlier.Resume());
            Assert.True(earlier.TrainOneStep().ContainsKey("adv/gen"));
            earlier.SaveCheckpoint();
        }
        // Step 3 trained adversarially; a schedule that would have kept it reconstruction-only no longer matches.
        using var later = new ContinuousTrainer(StartingAt(10, 4), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        Assert.Contains("training", Assert.Throws<ConfigException>(() => later.Resume()).Message);
    }

    [Fact]
    public void NanStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        using var run = new TempFolder();
        using var trainer = new ContinuousTrainer(TinyExperiment.Config(10, checkpointEvery: 2), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        for (var i = 0; i < 2; i++) trainer.TrainOneStep();
        trainer.SaveCheckpoint();
        var saved = File.ReadAllBytes(trainer.CheckpointPath);
        using (no_grad())
            trainer.Model.parameters().First().fill_(float.NaN);
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Equal(3, error.Step);
        Assert.Contains("NaN", error.Message);
        Assert.Contains(trainer.CheckpointPath, error.Message);
        Assert.Equal(saved, File.ReadAllBytes(trainer.CheckpointPath));
        Assert.Equal(2, Checkpoint.ReadInfo(trainer.CheckpointPath).Step);
    }
}
