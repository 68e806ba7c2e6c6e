using PostRvq.Data;

namespace PostRvq.Tests;

/// <summary>The committed sample set is what data/README.md promises.</summary>
public class SampleSetTests
{
    static readonly Corpus Samples = Corpus.Load(RepositoryFiles.Path("data", "samples"));

    [Fact]
    public void ThirtyThreeSecondClipsAt24kHzWithLicences()
    {
        Assert.Equal(30, Samples.Entries.Count);
        foreach (var entry in Samples.Entries)
        {
            var clip = Samples.LoadClip(entry, 24000);
            Assert.Equal(3.0, clip.DurationSeconds, 2);
            Assert.True(clip.RmsDbfs > -55, $"{entry.Id} is nearly silent");
            Assert.False(string.IsNullOrWhiteSpace(entry.Licence), entry.Id);
            Assert.False(string.IsNullOrWhiteSpace(entry.Package), entry.Id);
        }
    }

    [Fact]
    public void EverySplitHasClipsAndNoSourceIsInTwoSplits()
    {
        foreach (var split in new[] { "train", "valid", "test" })
            Assert.NotEmpty(Samples.Split(split).Entries);
        var splitsPerSource = Samples.Entries.GroupBy(e => e.Source).Select(g => g.Select(e => e.Split).Distinct().Count());
        Assert.All(splitsPerSource, count => Assert.Equal(1, count));
    }

    [Fact]
    public void EveryClipIsListedInClipsMd()
    {
        var clips = File.ReadAllText(RepositoryFiles.Path("data", "samples", "CLIPS.md"));
        Assert.All(Samples.Entries, entry => Assert.Contains(entry.Path, clips));
    }
}
