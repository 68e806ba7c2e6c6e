using PostRvq.Audio;
using PostRvq.Data;
using PostRvq.Metrics;
using PostRvq.Nn;
using PostRvq.Spectral;
using PostRvq.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PostRvq.Tests;

[Collection(SerialCollection.Name)]
public class MdctAutoencoderTests
{
    static AutoencoderOptions Tiny(bool linearInit = true) => new()
    {
        Kind = ModelKinds.Mdct, MdctHop = 40, LatentDim = 8, FrameChannels = 16, FrameHidden = 32,
        EncoderBlocks = 1, DecoderBlocks = 1, LinearInit = linearInit,
    };

    static IReadOnlyList<AudioClip> SampleTrain =>
        Corpus.Load(RepositoryFiles.Path("data", "samples")).Split("train").LoadAll(24000);

    static AudioClip SampleClip(string name) =>
        AudioFile.Read(Directory.GetFiles(RepositoryFiles.Path("data", "samples"), name, SearchOption.AllDirectories).Single(), 24000);

    [Fact]
    public void EveryLengthRoundTripsThroughTheLatent()
    {
        Assert.Equal(40, Tiny().HopLength);
        AutoencoderTests.AssertEveryLengthRoundTrips(Tiny());
    }

    [Fact]
    public void AFreshModelIsExactlyItsLinearCodec()
    {
        using var model = Autoencoder.Create(Tiny());
        var codec = MdctLinearInit.FitAndApply(model, SyntheticAudio.Clips(4, 1.0, 24000));
        using var scope = NewDisposeScope();
        var audio = randn(1, 1, 40 * 25, generator: new TorchSharp.torch.Generator(5)) * 0.2;
        // The same projection written out: frames 0..F-1 on the basis and back; the last frame stays empty.
        var mdct = new Mdct(40);
        var coefficients = mdct.Forward(audio);
        var kept = coefficients.narrow(2, 0, 25);
        var projected = codec.Basis.t().matmul(codec.Basis.matmul(kept));
        var expected = mdct.Inverse(cat([projected, zeros_like(coefficients.narrow(2, 25, 1))], 2));
        using var noGrad = no_grad();
        var actual = model.call(audio);
        Assert.True((actual - expected).abs().max().item<float>() < 1e-5f);
        Assert.InRange(codec.EnergyKept, 0.0, 1.0);
    }

    [Fact]
    public void TheLowPassBasisKeepsTheLowestBins()
    {
        var codec = MdctLinearInit.Fit(SyntheticAudio.Clips(2, 0.5, 24000), Tiny(), LinearBasis.LowPass);
        using var scope = NewDisposeScope();
        Assert.True(codec.Basis.allclose(eye(8, 40)));
    }

    [Fact]
    public void PcaBasisRowsAreOrthonormalAndOrderedByEnergy()
    {
        var codec = MdctLinearInit.Fit(SampleTrain, Tiny());
        using var scope = NewDisposeScope();
        var gram = codec.Basis.matmul(codec.Basis.t());
        Assert.True(gram.allclose(eye(8), atol: 1e-4));
        // More components keep more energy, and the top 8 of 40 bins keep more than 8 evenly chosen bins would.
        var wider = MdctLinearInit.Fit(SampleTrain, Tiny() with { LatentDim = 16 });
        Assert.True(wider.EnergyKept > codec.EnergyKept);
        Assert.True(codec.EnergyKept > 8.0 / 40);
    }

    [Fact]
    public void StepZeroScoresLikeThePcaAnchorOnASampleClip()
    {
        var options = ExperimentConfig.Load("tiny-cpu").Model with { FrameChannels = 16, FrameHidden = 32 };
        using var model = Autoencoder.Create(options);
        var codec = MdctLinearInit.FitAndApply(model, SampleTrain);
        var clip = SampleClip("sonicpi-loop-compus.wav");
        using var scope = NewDisposeScope();
        var length = clip.Length / 320 * 320;
        var audio = tensor(clip.Samples.Take(length).ToArray(), [1, 1, length]);
        // The anchor, from the transform and basis alone: every frame projected on the top-64 components.
        var mdct = new Mdct(320);
        var anchor = mdct.Inverse(codec.Basis.t().matmul(codec.Basis.matmul(mdct.Forward(audio))));
        using var noGrad = no_grad();
        var reconstruction = model.call(audio);
        var anchorSiSdr = SiSdr.Compute(audio.reshape(1, -1), anchor.reshape(1, -1)).item<double>();
        var modelSiSdr = SiSdr.Compute(audio.reshape(1, -1), reconstruction.reshape(1, -1)).item<double>();
        Assert.True(anchorSiSdr > 5, $"anchor {anchorSiSdr:F2} dB");
        Assert.True(Math.Abs(modelSiSdr - anchorSiSdr) < 0.5, $"model {modelSiSdr:F2} dB, anchor {anchorSiSdr:F2} dB");
    }

    [Fact]
    public void GradientReachesEveryParameter()
    {
        using var model = Autoencoder.Create(Tiny());
        model.to(float64);
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters())
                if (name.Contains("out_proj") || name.Contains("gate_proj")) parameter.normal_(0, 0.1);
        AutoencoderTests.AssertGradientReachesEveryParameter(model, 400);
    }

    [Fact]
    public void FrameBlockKeepsShapeAndStartsNearTheIdentity()
    {
        using var block = new FrameBlock(16, 48, 7, layerScale: 1e-3);
        using var scope = NewDisposeScope();
        var input = randn(3, 16, 11, requires_grad: true);
        var output = block.call(input);
        Assert.Equal(input.shape, output.shape);
        Assert.True((output - input).abs().max().item<float>() < 0.05f);
        output.sum().backward();
        Assert.True(input.grad!.isfinite().all().item<bool>());
        Assert.Throws<ArgumentException>(() => new FrameBlock(16, 48, 4, 0.1));
    }

    [Fact]
    public void ShortOverfitFromARandomLinearPathPassesTenDecibels()
    {
        // One sample clip, a random (not PCA) start, at most 200 steps: the model must learn the waveform itself.
        var clip = SampleClip("piano-c5.wav");
        var train = new[] { clip.SliceSamples(0, 24000) };
        var config = new ExperimentConfig
        {
            Name = "overfit",
            Model = ExperimentConfig.Load("tiny-cpu").Model with { FrameChannels = 64, FrameHidden = 128, EncoderBlocks = 1, DecoderBlocks = 2, LinearInit = false },
            Loss = new LossWeights { Mel = 1, Stft = 0, Waveform = 0, Mdct = 50 },
            Training = new TrainingOptions
            {
                Steps = 200, BatchSize = 2, CropSeconds = 1.0, LearningRate = 2e-3, LearningRateWarmupSteps = 10, Adversarial = false,
                ValidateEvery = 1000, CheckpointEvery = 1000, ValidationClips = 1, ValidationSeconds = 1.0, Seed = 1,
            },
        };
        using var run = new TempFolder();
        using var trainer = new ContinuousTrainer(config, train, train, run.Path);
        var before = trainer.Validate().SiSdr;
        for (var step = 0; step < 200; step++) trainer.TrainOneStep();
        var after = trainer.Validate().SiSdr;
        Assert.True(before < 10 && after > 10, $"SI-SDR {before:F2} -> {after:F2} dB");
    }

    [Fact]
    public void AnUnknownKindIsRefusedByName()
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse("""{ "model": { "kind": "spectrogram" } }""", "bad.json"));
        Assert.Contains("bad.json", error.Message);
        Assert.Contains("kind 'spectrogram' is unknown", error.Message);
        Assert.Contains("mdct", error.Message);
    }

    [Fact]
    public void ResumingWithAnotherKindIsRefused()
    {
        using var run = new TempFolder();
        var waveform = TinyExperiment.Config(1, adversarial: false);
        using (var trainer = new ContinuousTrainer(waveform, TinyExperiment.Train, TinyExperiment.Valid, run.Path))
        {
            trainer.TrainOneStep();
            trainer.SaveCheckpoint();
        }
        var mdct = waveform with { Model = Tiny() with { SampleRate = TinyExperiment.SampleRate } };
        using var other = new ContinuousTrainer(mdct, TinyExperiment.Train, TinyExperiment.Valid, run.Path);
        var error = Assert.Throws<ConfigException>(() => other.Resume());
        Assert.Contains("model.kind is 'waveform' in the checkpoint but 'mdct'", error.Message);
    }

    [Fact]
    public void TheTinyCpuPresetIsTheMdctFamilyAtSeventyFiveHertz()
    {
        var config = ExperimentConfig.Load("tiny-cpu");
        Assert.Equal(ModelKinds.Mdct, config.Model.Kind);
        Assert.Equal(75.0, config.Model.FrameRate, 9);
        Assert.Equal(64, config.Model.LatentDim);
        Assert.True(config.Loss.Waveform > 0 || config.Loss.Mdct > 0, "the preset needs a phase-aware term");
        Assert.Equal(ModelKinds.Waveform, ExperimentConfig.Load("tiny-cpu-waveform").Model.Kind);
    }
}
