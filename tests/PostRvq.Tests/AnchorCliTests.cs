using PostRvq.Codecs;
using PostRvq.Nn;
using PostRvq.Training;

namespace PostRvq.Tests;

/// <summary><c>postrvq anchor</c>: the linear MDCT codecs as .model files, scored like any model.</summary>
[Collection(SerialCollection.Name)]
public class AnchorCliTests
{
    static readonly string Samples = RepositoryFiles.Path("data", "samples");

    [Fact]
    public void ThePcaAnchorIsAnMdctModelWithTestMetricsAndBeatsTheLowPassOnMel()
    {
        using var folder = new TempFolder();
        var (code, output, error) = CliRunner.Run("anchor", "--data", Samples, "--out", folder.File("pca.model"));
        Assert.True(code == 0, error);
        Assert.Contains("test split", output);
        var (model, info) = ModelFile.Load(folder.File("pca.model"));
        using (model)
        {
            Assert.Equal(ModelKinds.Mdct, info.Options.Kind);
            Assert.Equal(0, info.Steps);
            Assert.Equal(0, info.Options.DecoderBlocks);
            Assert.NotNull(info.TestMetrics);
        }
        Assert.Equal(0, CliRunner.Run("anchor", "--data", Samples, "--basis", "lowpass", "--out", folder.File("low.model")).Code);
        var (lowModel, low) = ModelFile.Load(folder.File("low.model"));
        lowModel.Dispose();
        // The low-pass leaves every band above 4.8 kHz silent, which the log-mel distance punishes most.
        Assert.True(info.TestMetrics!.Mel < low.TestMetrics!.Mel, $"pca mel {info.TestMetrics.Mel:F2}, low-pass {low.TestMetrics.Mel:F2}");
    }

    [Theory]
    [InlineData("--basis", "wavelet", "--basis 'wavelet' is unknown")]
    [InlineData("--config", "tiny-cpu-waveform", "needs 'mdct'")]
    [InlineData("--seconds", "0", "--seconds must be positive")]
    public void BadOptionsAreRefusedByName(string option, string value, string message)
    {
        using var folder = new TempFolder();
        var (code, _, error) = CliRunner.Run("anchor", "--data", Samples, "--out", folder.File("a.model"), option, value);
        Assert.Equal(1, code);
        Assert.Contains(message, error);
        Assert.False(File.Exists(folder.File("a.model")));
    }

    [Fact]
    public void ItNeverWritesIntoItsCorpus()
    {
        var target = Path.Combine(Samples, "anchor.model");
        var (code, _, error) = CliRunner.Run("anchor", "--data", Samples, "--out", target);
        Assert.Equal(1, code);
        Assert.Contains("inside the corpus", error);
        Assert.False(File.Exists(target));
    }
}
