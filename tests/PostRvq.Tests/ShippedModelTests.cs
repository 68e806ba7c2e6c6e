using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Metrics;
using static TorchSharp.torch;

namespace PostRvq.Tests;

/// <summary>The model in data/models is the tiny-cpu preset, trained, and reconstructs real audio better than silence does.</summary>
public class ShippedModelTests
{
    static readonly string ModelPath = RepositoryFiles.Path("data", "models", "tiny-cpu.model");

    [Fact]
    public void ItIsTheTinyCpuPresetWithTestMetrics()
    {
        var (model, info) = ModelFile.Load(ModelPath);
        using (model)
        {
            Assert.Equal("tiny-cpu", info.Config);
            Assert.Equal(24000, info.Options.SampleRate);
            Assert.Equal(320, info.Options.HopLength);
            Assert.True(info.Steps > 0);
            Assert.NotNull(info.TestMetrics);
        }
    }

    [Fact]
    public void ReconstructionsOfTheSampleTestSplitBeatSilence()
    {
        var (model, _) = ModelFile.Load(ModelPath);
        using var _ = model;
        var samples = Corpus.Load(RepositoryFiles.Path("data", "samples")).Split("test");
        var modelMel = new List<double>();
        var silenceMel = new List<double>();
        foreach (var entry in samples.Entries)
        {
            using var scope = NewDisposeScope();
            var clip = samples.LoadClip(entry, 24000);
            var reference = AudioTensors.ToBatch(clip);
            var reconstruction = AudioTensors.ToBatch(Reconstruction.Run(model, clip));
            modelMel.Add(MelDistance.Compute(reference, reconstruction, 24000).item<double>());
            silenceMel.Add(MelDistance.Compute(reference, zeros_like(reference), 24000).item<double>());
        }
        Assert.True(modelMel.Average() < 0.6 * silenceMel.Average(), $"model mel {modelMel.Average():F2}, silence mel {silenceMel.Average():F2}");
    }

    [Fact]
    public void TheShippedFinetunedAndE2ECodecsKnowTheirKindAndMeetTheEqualBudget()
    {
        var models = RepositoryFiles.Path("data", "models");
        using var finetuned = Codec.Load(Path.Combine(models, "tiny-cpu-finetuned-16k.model"), Path.Combine(models, "tiny-cpu-finetuned-16k.quantizer"));
        using var e2e = Codec.Load(Path.Combine(models, "tiny-cpu-e2e.model"), Path.Combine(models, "tiny-cpu-e2e.quantizer"));
        Assert.Equal(Codec.PostTrainingFinetuned, finetuned.Kind);
        Assert.Equal(Codec.EndToEnd, e2e.Kind);
        // Equal budget: E2E trained as many steps as the continuous model and its decoder finetuning together.
        Assert.True(finetuned.Info.FinetuneSteps > 0 && finetuned.Info.Steps > finetuned.Info.FinetuneSteps);
        Assert.True(e2e.Info.Steps >= finetuned.Info.Steps, $"E2E had {e2e.Info.Steps} steps, the finetuned codec {finetuned.Info.Steps}");
    }
}
