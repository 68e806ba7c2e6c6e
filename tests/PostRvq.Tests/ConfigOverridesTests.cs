using PostRvq.Nn;
using PostRvq.Training;

namespace PostRvq.Tests;

public class ConfigOverridesTests
{
    [Fact]
    public void EditsReachTheirSectionsWithJsonTypes()
    {
        var config = ExperimentConfig.Load("tiny-cpu",
            ["loss.waveform=0", "model.linearInit=false", "training.adversarial=false", "discriminator.periods=[2,3]"]);
        Assert.Equal(0, config.Loss.Waveform);
        Assert.False(config.Model.LinearInit);
        Assert.False(config.Training.Adversarial);
        Assert.Equal([2, 3], config.Discriminator.Periods);
        // Everything not named keeps the preset's value.
        Assert.Equal(ExperimentConfig.Load("tiny-cpu").Loss.Mel, config.Loss.Mel);
    }

    [Fact]
    public void AnUnquotedWordIsAString()
    {
        var config = ExperimentConfig.Load("tiny-cpu-waveform", ["model.kind=mdct", "model.mdctHop=320"]);
        Assert.Equal(ModelKinds.Mdct, config.Model.Kind);
    }

    [Fact]
    public void ALaterEditWins()
    {
        var config = ExperimentConfig.Load("tiny-cpu", ["training.steps=10", "training.steps=20"]);
        Assert.Equal(20, config.Training.Steps);
    }

    [Theory]
    [InlineData("loss.wavefrom=1", "wavefrom")]
    [InlineData("training.learningRate=-1", "training.learningRate")]
    [InlineData("loss", "section.key=value")]
    [InlineData("=3", "section.key=value")]
    [InlineData("loss..mel=1", "empty part")]
    [InlineData("name.x=1", "'name' is a value")]
    public void ABadEditIsRefusedByName(string edit, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Load("tiny-cpu", [edit]));
        Assert.Contains(expected, error.Message);
    }
}
