using PostRvq.Codecs;
using PostRvq.Nn;
using PostRvq.Quantization;
using PostRvq.Quantization.InLoop;
using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Tests;

[Collection(SerialCollection.Name)]
public class E2ETrainerTests
{
    static readonly E2EQuantizerOptions Small = new() { Codebooks = 4, CodebookSize = 16, KMeansInitBatches = 1, KMeansIterations = 3, DeadCodeSteps = 2 };

    static ExperimentConfig Config(int steps, E2EQuantizerOptions? quantizer = null, bool adversarial = true, int checkpointEvery = 1000) =>
        TinyExperiment.Config(steps, adversarial, checkpointEvery) with { E2E = quantizer ?? Small };

    static bool Equal(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    [Fact]
    public void StraightThroughGradientsReachTheEncoder()
    {
        using var run = new TempFolder();
        using var trainer = new E2ETrainer(Config(1, adversarial: false), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        var losses = trainer.TrainOneStep();
        Assert.True(trainer.Quantizer.IsInitialized);
        foreach (var key in new[] { "vq/commit", "vq/codebook", "vq/used", "vq/perplexity", "vq/dead" }) Assert.True(double.IsFinite(losses[key]), key);
        var encoderGradients = trainer.Model.named_parameters().Where(p => p.name.StartsWith("encoder.")).Select(p => p.parameter.grad).ToList();
        Assert.All(encoderGradients, g => Assert.NotNull(g));
        Assert.Contains(encoderGradients, g => g!.abs().sum().item<float>() > 0);
        Assert.Contains(trainer.Quantizer.parameters(), p => p.grad is { } g && g.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void QuantizerDropoutDrawsEveryDepthFromOneToAll()
    {
        manual_seed(0);
        using var layer = new InLoopResidualQuantizer(8, Small with { Codebooks = 5 });
        var counts = layer.SampleStageCounts(20000).data<long>().ToArray();
        Assert.Equal([1L, 2, 3, 4, 5], counts.Distinct().Order());
        // Half the items keep all 5 stages, the other half draw 5 with probability 1/5 too.
        Assert.InRange(counts.Count(c => c == 5) / 20000.0, 0.57, 0.63);
        using var noDropout = new InLoopResidualQuantizer(8, Small with { Codebooks = 5, QuantizerDropout = 0 });
        Assert.All(noDropout.SampleStageCounts(100).data<long>().ToArray(), c => Assert.Equal(5L, c));
    }

    [Fact]
    public void DeadEntriesAreReplacedByCurrentResiduals()
    {
        manual_seed(1);
        using var layer = new InLoopResidualQuantizer(4, Small with { Codebooks = 1 });
        var stage = layer.Stages[0];
        var far = full(8, 4, 1000f);
        stage.SetCodebook(cat([randn(8, 4), far], 0));
        layer.train();
        var z = randn(2, 4, 50);
        var first = layer.Forward(z);
        Assert.Equal(0, first.Statistics!.Dead);
        var second = layer.Forward(z);
        Assert.Equal(8, second.Statistics!.Dead);
        var revived = stage.Codebook.narrow(0, 8, 8);
        Assert.True(revived.abs().max().item<float>() < 100, "every far entry was replaced by a residual of the batch");
        Assert.True(Equal(stage.UnusedSteps.narrow(0, 8, 8), zeros(8)));
        Assert.True(layer.Forward(z).Codes.ge(8).any().item<bool>(), "revived entries are chosen again");

        using var keeping = new InLoopResidualQuantizer(4, Small with { Codebooks = 1, ReplaceDeadCodes = false });
        keeping.Stages[0].SetCodebook(cat([randn(8, 4), far], 0));
        keeping.train();
        keeping.Forward(z);
        Assert.Equal(8, keeping.Forward(z).Statistics!.Dead);
        Assert.True(Equal(keeping.Stages[0].Codebook.narrow(0, 8, 8), far));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheExportedQuantizerChoosesTheLayersCodes(bool factorized)
    {
        manual_seed(2);
        using var run = new TempFolder();
        using var layer = new InLoopResidualQuantizer(8, Small with { Factorized = factorized, CodeDim = 3 });
        layer.InitializeFromLatents(randn(400, 8));
        layer.eval();
        var z = randn(2, 8, 30);
        InLoopQuantizerOutput expected;
        using (no_grad()) expected = layer.Forward(z);
        layer.Export().Save(run.File("e2e.quantizer"));
        var exported = QuantizerFile.Load(run.File("e2e.quantizer"));
        Assert.Equal(factorized ? QuantizerKinds.E2eRvq : QuantizerKinds.Rvq, exported.Kind);
        var actual = exported.Quantize(z);
        Assert.True(Equal(expected.Codes, actual.Codes));
        Assert.True(Equal(expected.Quantized, actual.Quantized));
        Assert.True(Equal(exported.Decode(actual.Codes), actual.Quantized));
    }

    [Fact]
    public void ResumedE2ERunContinuesWithIdenticalLosses()
    {
        using var straight = new TempFolder();
        using var interrupted = new TempFolder();
        List<double> Losses(E2ETrainer t) => TrainingLog.Read(t.LogPath, "train").Select(r => r["loss"]).ToList();
        List<double> expected;
        using (var trainer = new E2ETrainer(Config(4, adversarial: false), TinyExperiment.Train, TinyExperiment.Valid, straight.Path))
        {
            trainer.Run();
            expected = Losses(trainer);
        }
        using (var first = new E2ETrainer(Config(2, adversarial: false), TinyExperiment.Train, TinyExperiment.Valid, interrupted.Path))
            first.Run();
        manual_seed(12345);
        using (var second = new E2ETrainer(Config(4, adversarial: false), TinyExperiment.Train, TinyExperiment.Valid, interrupted.Path))
        {
            Assert.True(second.Resume());
            Assert.Equal(2, second.Step);
            Assert.True(second.Quantizer.IsInitialized);
            second.Run();
            Assert.Equal(expected, Losses(second));
        }
        using var other = new E2ETrainer(Config(4, Small with { CommitmentWeight = 1 }, adversarial: false), TinyExperiment.Train, TinyExperiment.Valid, interrupted.Path);
        Assert.Contains("e2e", Assert.Throws<ConfigException>(() => other.Resume()).Message);
    }

    [Fact]
    public void SaveModelWritesAModelAndAPlainQuantizer()
    {
        using var run = new TempFolder();
        using var trainer = new E2ETrainer(Config(2, adversarial: false), TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        trainer.Run();
        trainer.SaveModel(run.File("e2e.model"));
        var (model, info) = ModelFile.Load(run.File("e2e.model"));
        using var _ = model;
        Assert.Equal(("e2e", 2L, "e2e.quantizer"), (info.Kind, info.Steps, info.Quantizer));
        var quantizer = QuantizerFile.Load(run.File("e2e.quantizer"));
        Assert.Equal(trainer.FullKbps, quantizer.Kbps(model.Options.FrameRate), 9);
        using (no_grad())
        {
            var audio = randn(1, 1, 800) * 0.1;
            trainer.Model.eval();
            trainer.Quantizer.eval();
            var viaLayer = trainer.Model.Decode(trainer.Quantizer.Forward(trainer.Model.Encode(audio)).Quantized);
            Assert.True(Equal(viaLayer, model.Decode(quantizer.Quantize(model.Encode(audio)).Quantized)));
        }
    }
}
