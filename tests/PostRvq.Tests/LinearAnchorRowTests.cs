using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Evaluation;
using PostRvq.Training;

namespace PostRvq.Tests;

public class LinearAnchorRowTests
{
    static readonly string SamplesPath = RepositoryFiles.Path("data", "samples");

    [Fact]
    public void TheAnchorIsALinearCodecTheShippedModelBeatsOnMel()
    {
        var (model, _) = ModelFile.Load(RepositoryFiles.Path("data", "models", "tiny-cpu.model"));
        using var _ = model;
        var corpus = Corpus.Load(SamplesPath);
        var train = corpus.Split("train").LoadAll(model.Options.SampleRate);
        var test = corpus.Split("test").LoadAll(model.Options.SampleRate);

        var anchor = LinearAnchorRow.Score(model.Options, train, test, "test");

        Assert.Equal(LinearAnchorRow.Method, anchor.Method);
        Assert.Equal(test.Count, anchor.Clips.Count);
        Assert.Equal(anchor.Clips.Average(c => c.Mel), anchor.Mel, 9);
        // A 64-of-320 linear projection keeps the waveform: positive SI-SDR on every clip, far above noise.
        Assert.All(anchor.Clips, c => Assert.True(c.SiSdr > 3, $"clip SI-SDR {c.SiSdr:F1} dB"));
        var trained = QuantizerComparison.Score(test, [.. test.Select(clip => Reconstruction.Run(model, clip))]);
        Assert.True(trained.Average(c => c.Mel) < anchor.Mel - 0.3,
            $"trained mel {trained.Average(c => c.Mel):F3} against the anchor's {anchor.Mel:F3}");
    }

    [Fact]
    public void LoadSpreadReadsAboutTheAskedAudioFromAcrossTheSplit()
    {
        var train = Corpus.Load(SamplesPath).Split("train");
        var total = train.Entries.Sum(e => e.Duration);
        var spread = train.LoadSpread(total / 4, 24000);
        var seconds = spread.Sum(c => c.DurationSeconds);
        Assert.InRange(seconds, total / 4, total / 2);
        Assert.Equal(train.Entries.Count, train.LoadSpread(total * 10, 24000).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => train.LoadSpread(0, 24000));
    }
}
