using PostRvq.Audio;
using PostRvq.Data;

namespace PostRvq.Tests;

public class CorpusTests
{
    const string TrainLine = """{"id":"music/a-000","path":"train/music/a-000.wav","split":"train","category":"music","licence":"GPL-2","package":"hedgewars-data","source":"/usr/share/a.ogg","source_sample_rate":44100,"duration":0.5}""";
    const string ValidLine = """{"id":"speech/b-000","path":"valid/speech/b-000.wav","split":"valid","category":"speech","licence":"CC-BY-3.0","package":"p","source":"/s/b.wav","source_sample_rate":16000,"duration":0.25}""";
    const string TestLine = """{"id":"music/c-000","path":"test/music/c-000.wav","split":"test"}""";

    [Fact]
    public void LoadsAManifestFolder()
    {
        using var folder = ManifestCorpus(TrainLine, "", ValidLine, TestLine);
        var corpus = Corpus.Load(folder.Path);
        Assert.True(corpus.HasSplits);
        Assert.Equal(["music/a-000", "speech/b-000", "music/c-000"], corpus.Entries.Select(e => e.Id));
        Assert.Equal(
            new CorpusEntry("music/a-000", "train/music/a-000.wav", "train", "music", "GPL-2", "hedgewars-data", "/usr/share/a.ogg", 44100, 0.5),
            corpus.Entries[0]);
        Assert.Equal(new CorpusEntry("music/c-000", "test/music/c-000.wav", "test", "", "unknown", "", "", 0, 0), corpus.Entries[2]);
    }

    [Fact]
    public void SplitsAndLoadsClipsAtTheRequestedRate()
    {
        using var folder = ManifestCorpus(TrainLine, ValidLine, TestLine);
        var train = Corpus.Load(folder.Path).Split("train");
        Assert.Equal(["music/a-000"], train.Entries.Select(e => e.Id));
        var clip = train.LoadClip(train.Entries[0], 24000);
        Assert.Equal(24000, clip.SampleRate);
        Assert.Equal(12000, clip.Length);
        var valid = Corpus.Load(folder.Path).Split("valid").LoadAll(16000);
        Assert.Equal(4000, Assert.Single(valid).Length);
    }

    [Fact]
    public void LoadsAManifestFileDirectly()
    {
        using var folder = ManifestCorpus(TrainLine);
        var manifest = folder.File(Corpus.ManifestFileName);
        File.Move(manifest, folder.File("other.jsonl"));
        var corpus = Corpus.Load(folder.File("other.jsonl"));
        Assert.Equal(folder.Path, corpus.Root);
        Assert.Equal(folder.File("train/music/a-000.wav"), corpus.FullPath(corpus.Entries[0]));
    }

    [Fact]
    public void PlainFolderHasEveryAudioFileInEverySplit()
    {
        using var folder = new AudioTempFolder();
        WavWriter.Write(folder.File("b.wav"), TestAudio.Sine(440, 0.1, 16000));
        WavWriter.Write(folder.File("drums/a.wav"), TestAudio.Sine(440, 0.1, 16000));
        File.Copy(TestAudio.Fixture("bell.oga"), folder.File("drums/bell.oga"));
        File.WriteAllText(folder.File("notes.txt"), "not audio");
        WavWriter.Write(folder.File(".cache/hidden.wav"), TestAudio.Sine(440, 0.1, 16000));
        var corpus = Corpus.Load(folder.Path);
        Assert.False(corpus.HasSplits);
        Assert.Equal(["b", "drums/a", "drums/bell"], corpus.Entries.Select(e => e.Id));
        Assert.Equal(["", "drums", "drums"], corpus.Entries.Select(e => e.Category));
        Assert.All(corpus.Entries, e => Assert.Equal(Corpus.NoSplit, e.Split));
        Assert.Same(corpus, corpus.Split("train"));
        Assert.Same(corpus, corpus.Split("valid"));
        Assert.All(corpus.LoadAll(24000), clip => Assert.Equal(24000, clip.SampleRate));
    }

    [Fact]
    public void MissingPath()
    {
        using var folder = new AudioTempFolder();
        var error = Assert.Throws<CorpusException>(() => Corpus.Load(folder.File("absent")));
        Assert.Contains(folder.File("absent"), error.Message);
    }

    [Fact]
    public void FileThatIsNotAManifest()
    {
        using var folder = new AudioTempFolder();
        var path = folder.WriteBytes("clip.wav", [1, 2, 3]);
        Assert.Contains("expected a folder or a .jsonl manifest", Assert.Throws<CorpusException>(() => Corpus.Load(path)).Message);
    }

    [Fact]
    public void FolderWithoutAudio()
    {
        using var folder = new AudioTempFolder();
        File.WriteAllText(folder.File("readme.md"), "# nothing");
        var error = Assert.Throws<CorpusException>(() => Corpus.Load(folder.Path));
        Assert.Contains(folder.Path, error.Message);
        Assert.Contains("no audio files", error.Message);
    }

    [Fact]
    public void ManifestWithoutEntries()
    {
        using var folder = ManifestCorpus("", "   ");
        Assert.Contains("no entries", Assert.Throws<CorpusException>(() => Corpus.Load(folder.Path)).Message);
    }

    [Fact]
    public void SplitWithoutEntriesNamesTheSplitAndThePath()
    {
        using var folder = ManifestCorpus(TrainLine, TestLine);
        var error = Assert.Throws<CorpusException>(() => Corpus.Load(folder.Path).Split("valid"));
        Assert.Contains("\"valid\"", error.Message);
        Assert.Contains(folder.File(Corpus.ManifestFileName), error.Message);
        Assert.Contains("train, test", error.Message);
    }

    [Theory]
    [InlineData("{\"id\":\"x\",", "invalid JSON")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("""{"id":"x","split":"train"}""", "missing or empty \"path\"")]
    [InlineData("""{"id":"x","path":"train/music/a-000.wav","split":""}""", "missing or empty \"split\"")]
    [InlineData("""{"id":7,"path":"train/music/a-000.wav","split":"train"}""", "\"id\" must be a string")]
    [InlineData("""{"id":"x","path":"train/music/a-000.wav","split":"train","duration":"ten"}""", "\"duration\" must be a non-negative number")]
    [InlineData("""{"id":"x","path":"train/music/a-000.wav","split":"train","source_sample_rate":44100.5}""", "whole number")]
    [InlineData("""{"id":"music/a-000","path":"train/music/a-000.wav","split":"valid"}""", "duplicate id")]
    [InlineData("""{"id":"y","path":"train/music/gone.wav","split":"train"}""", "not found")]
    public void MalformedLineNamesFileLineAndProblem(string badLine, string problem)
    {
        using var folder = ManifestCorpus(TrainLine, badLine);
        var error = Assert.Throws<CorpusException>(() => Corpus.Load(folder.Path));
        Assert.StartsWith(folder.File(Corpus.ManifestFileName) + ":2: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    // Writes the manifest lines and, for every entry line, a 0.5 s 44.1 kHz tone (0.25 s at 16 kHz for speech) at its path.
    static AudioTempFolder ManifestCorpus(params string[] lines)
    {
        var folder = new AudioTempFolder();
        WavWriter.Write(folder.File("train/music/a-000.wav"), TestAudio.Sine(440, 0.5, 44100));
        WavWriter.Write(folder.File("valid/speech/b-000.wav"), TestAudio.Sine(440, 0.25, 16000));
        WavWriter.Write(folder.File("test/music/c-000.wav"), TestAudio.Sine(440, 0.5, 44100));
        File.WriteAllLines(folder.File(Corpus.ManifestFileName), lines);
        return folder;
    }
}
