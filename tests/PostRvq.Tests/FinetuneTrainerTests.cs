using PostRvq.Codecs;
using PostRvq.Nn;
using PostRvq.Quantization;
using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Tests;

[Collection(SerialCollection.Name)]
public class FinetuneTrainerTests
{
    // The tiny model runs at 3000 frames/s, so a 4-bit codebook costs 12 kbps: 24 kbps is 2 of the 4 stages.
    static ExperimentConfig Config(int steps, bool adversarial = true, double[]? kbpsSet = null, int checkpointEvery = 1000)
    {
        var config = TinyExperiment.Config(steps, adversarial, checkpointEvery);
        return config with { Finetune = new FinetuneOptions { Steps = steps, LearningRate = 1e-3, Kbps = 24, KbpsSet = kbpsSet ?? [] } };
    }

    /// <summary>A two-step adversarial step-1 run in <paramref name="folder"/>, so there are discriminators to continue.</summary>
    static FinetuneSource Pretrain(string folder)
    {
        using (var trainer = new ContinuousTrainer(TinyExperiment.Config(2), TinyExperiment.Train, TinyExperiment.Valid, folder))
            trainer.Run();
        return FinetuneSource.Load(folder);
    }

    static StandardizedRvq FitQuantizer(Autoencoder model)
    {
        Tensor frames;
        using (no_grad())
        {
            var audio = stack(TinyExperiment.Train.Select(c => tensor(c.Samples).unsqueeze(0)).ToArray());
            frames = model.Encode(audio).permute(0, 2, 1).reshape(-1, model.Options.LatentDim);
        }
        var quantizer = new StandardizedRvq(model.Options.LatentDim, new RvqOptions { Codebooks = 4, CodebookSize = 16, KMeans = new KMeansOptions { Iterations = 5 } });
        quantizer.Fit(frames);
        return quantizer;
    }

    static Dictionary<string, Tensor> Weights(nn.Module module, string prefix) =>
        module.named_parameters().Where(p => p.name.StartsWith(prefix)).ToDictionary(p => p.name, p => p.parameter.detach().clone());

    static bool Equal(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    [Fact]
    public void FinetuningMovesOnlyTheDecoder()
    {
        using var step1 = new TempFolder();
        using var run = new TempFolder();
        using var source = Pretrain(step1.Path);
        var quantizer = FitQuantizer(source.Model);
        quantizer.Save(run.File("before.quantizer"));
        var encoderBefore = Weights(source.Model, "encoder.");
        var decoderBefore = Weights(source.Model, "decoder.");
        using var trainer = new FinetuneTrainer(Config(3), source, quantizer, TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        trainer.Run();
        foreach (var (name, value) in Weights(trainer.Model, "encoder.")) Assert.True(Equal(encoderBefore[name], value), name);
        Assert.Contains(Weights(trainer.Model, "decoder."), p => !Equal(decoderBefore[p.Key], p.Value));
        quantizer.Save(run.File("after.quantizer"));
        Assert.Equal(File.ReadAllBytes(run.File("before.quantizer")), File.ReadAllBytes(run.File("after.quantizer")));
    }

    [Fact]
    public void DiscriminatorsContinueFromTheStepOneCheckpoint()
    {
        using var step1 = new TempFolder();
        using var run = new TempFolder();
        using var source = Pretrain(step1.Path);
        using var trainer = new FinetuneTrainer(Config(1), source, FitQuantizer(source.Model), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        using (var step1Trainer = new ContinuousTrainer(TinyExperiment.Config(2), TinyExperiment.Train, TinyExperiment.Valid, step1.Path))
        {
            Assert.True(step1Trainer.Resume());
            foreach (var ((name, expected), (_, actual)) in step1Trainer.Discriminator.named_parameters().Zip(trainer.Discriminator.named_parameters()))
                Assert.True(Equal(expected, actual), name);
        }
        Assert.Equal(Path.Combine(step1.Path, Checkpoint.FileName), trainer.DiscriminatorSource);
    }

    [Fact]
    public void AModelFileAloneStartsFreshDiscriminatorsAndSaysSo()
    {
        using var step1 = new TempFolder();
        using var run = new TempFolder();
        using (var pretrained = Pretrain(step1.Path))
            ModelFile.Save(step1.File("m.model"), pretrained.Model, pretrained.Info);
        using var source = FinetuneSource.Load(step1.File("m.model"));
        Assert.Null(source.DiscriminatorCheckpoint);
        using var trainer = new FinetuneTrainer(Config(1), source, FitQuantizer(source.Model), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        Assert.StartsWith("fresh", trainer.DiscriminatorSource);
        Assert.Contains("discriminators: fresh", File.ReadAllText(trainer.LogPath));
    }

    [Fact]
    public void AShortFinetuneLowersTheLossOnQuantizedLatents()
    {
        using var step1 = new TempFolder();
        using var run = new TempFolder();
        using var source = Pretrain(step1.Path);
        using var trainer = new FinetuneTrainer(Config(40, adversarial: false), source, FitQuantizer(source.Model), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        var before = trainer.Validate().Mel;
        trainer.Run();
        var after = trainer.Validate().Mel;
        Assert.True(after < before * 0.95, $"validation mel at 24 kbps {before:F3} -> {after:F3}");
    }

    [Fact]
    public void ABitrateSetIsSampledPerBatchFromTheSeed()
    {
        using var step1 = new TempFolder();
        using var run = new TempFolder();
        using var source = Pretrain(step1.Path);
        using var trainer = new FinetuneTrainer(Config(2, kbpsSet: [12, 24, 48]), source, FitQuantizer(source.Model), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        Assert.Equal([1, 2, 4], trainer.Bitrates.Select(b => b.Quantizer.Codebooks));
        var draws = Enumerable.Range(0, 300).Select(s => trainer.KbpsAt(s)).ToList();
        Assert.Equal([12.0, 24.0, 48.0], draws.Distinct().Order());
        Assert.Equal(draws, Enumerable.Range(0, 300).Select(s => trainer.KbpsAt(s)));
        Assert.Equal(trainer.KbpsAt(0), trainer.TrainOneStep()["kbps"]);
    }

    [Fact]
    public void ResumedFinetuneContinuesWithIdenticalLossesAndRefusesAnotherQuantizer()
    {
        using var step1 = new TempFolder();
        using var straight = new TempFolder();
        using var interrupted = new TempFolder();
        using var source = Pretrain(step1.Path);
        var quantizer = FitQuantizer(source.Model);
        List<double> Losses(FinetuneTrainer t) => TrainingLog.Read(t.LogPath, "train").Select(r => r["loss"]).ToList();
        List<double> expected;
        using (var trainer = new FinetuneTrainer(Config(4, kbpsSet: [12, 24]), source, quantizer, TinyExperiment.Train, TinyExperiment.Valid, straight.Path))
        {
            trainer.Run();
            expected = Losses(trainer);
        }
        using (var first = new FinetuneTrainer(Config(2, kbpsSet: [12, 24]), source, quantizer, TinyExperiment.Train, TinyExperiment.Valid, interrupted.Path))
            first.Run();
        manual_seed(12345);
        using (var second = new FinetuneTrainer(Config(4, kbpsSet: [12, 24]), source, quantizer, TinyExperiment.Train, TinyExperiment.Valid, interrupted.Path))
        {
            Assert.True(second.Resume());
            Assert.Equal(2, second.Step);
            second.Run();
            Assert.Equal(expected, Losses(second));
        }
        var other = new StandardizedRvq(8, new RvqOptions { Codebooks = 4, CodebookSize = 16, Seed = 1, KMeans = new KMeansOptions { Iterations = 5 } });
        other.Fit(randn(2000, 8));
        using var refused = new FinetuneTrainer(Config(4, kbpsSet: [12, 24]), source, other, TinyExperiment.Train, TinyExperiment.Valid, interrupted.Path);
        var error = Assert.Throws<ConfigException>(() => refused.Resume());
        Assert.Contains("quantizer", error.Message);
    }

    [Fact]
    public void SaveModelWritesTheFinetunedCodecWithItsQuantizer()
    {
        using var step1 = new TempFolder();
        using var run = new TempFolder();
        using var source = Pretrain(step1.Path);
        var quantizer = FitQuantizer(source.Model);
        using var trainer = new FinetuneTrainer(Config(2), source, quantizer, TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        trainer.Run();
        trainer.SaveModel(run.File("ft.model"));
        var (model, info) = ModelFile.Load(run.File("ft.model"));
        using var _ = model;
        Assert.Equal(("finetuned", 4L, 2L, "ft.quantizer"), (info.Kind, info.Steps, info.FinetuneSteps, info.Quantizer));
        Assert.Equal([24.0], info.Kbps!);
        var loaded = (StandardizedRvq)QuantizerFile.Load(run.File("ft.quantizer"));
        Assert.True(Equal(quantizer.Inner.StageCodebooks[3], loaded.Inner.StageCodebooks[3]));
        using (no_grad())
        {
            var audio = randn(1, 1, 800) * 0.1;
            trainer.Model.eval();
            var z = model.Encode(audio);
            Assert.True(Equal(trainer.Codec(audio), model.Decode(((StandardizedRvq)loaded.Truncate(2)).Quantize(z).Quantized)));
        }
    }
}
