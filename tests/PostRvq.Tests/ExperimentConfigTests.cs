using PostRvq.Training;

namespace PostRvq.Tests;

public class ExperimentConfigTests
{
    [Theory]
    [InlineData("tiny-cpu", 24000, 320)]
    [InlineData("paper-44k", 44100, 512)]
    [InlineData("bench-tiny", 24000, 320)]
    public void PresetsLoadWithTheirRates(string preset, int sampleRate, int hop)
    {
        var config = ExperimentConfig.Load(preset);
        Assert.Equal(preset, config.Name);
        Assert.Equal(sampleRate, config.Model.SampleRate);
        Assert.Equal(hop, config.Model.HopLength);
        Assert.True(config.Training.Adversarial);
    }

    [Fact]
    public void DefaultLossWeightsAreDacs()
    {
        var weights = new LossWeights();
        Assert.Equal((15.0, 2.0, 1.0), (weights.Mel, weights.FeatureMatching, weights.Adversarial));
    }

    [Fact]
    public void AnUnknownKeyIsAnErrorNamingTheFileAndTheKey()
    {
        using var folder = new TempFolder();
        var path = folder.File("typo.json");
        File.WriteAllText(path, """{ "name": "x", "training": { "stepz": 10 } }""");
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("stepz", error.Message);
    }

    [Fact]
    public void AnInvalidValueIsAnErrorNamingTheOption()
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.json");
        File.WriteAllText(path, """{ "training": { "batchSize": 0 } }""");
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Load(path));
        Assert.Contains("training.batchSize", error.Message);
    }

    [Fact]
    public void AnUnknownPresetListsTheKnownOnes()
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Load("no-such-preset"));
        Assert.Contains("tiny-cpu", error.Message);
    }

    [Fact]
    public void ConfigRoundTripsThroughJson()
    {
        var config = ExperimentConfig.Load("tiny-cpu");
        var again = ExperimentConfig.Parse(config.ToJson(), "round trip");
        Assert.Equal(config.ToJson(), again.ToJson());
    }
}
