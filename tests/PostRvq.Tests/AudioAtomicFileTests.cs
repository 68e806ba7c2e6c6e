using PostRvq.Audio;
using PostRvq.IO;

namespace PostRvq.Tests;

public class AudioAtomicFileTests
{
    [Fact]
    public void WritesTheFileAndCreatesItsFolder()
    {
        using var folder = new AudioTempFolder();
        var path = folder.File("a/b/out.txt");
        AtomicFile.WriteAllText(path, "hello ✓");
        Assert.Equal("hello ✓", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder.File("a/b")));
    }

    [Fact]
    public void ReplacesAnExistingFile()
    {
        using var folder = new AudioTempFolder();
        var path = folder.File("out.bin");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        AtomicFile.Write(path, stream => stream.Write([9, 8]));
        Assert.Equal([9, 8], File.ReadAllBytes(path));
    }

    [Fact]
    public void FailedWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        using var folder = new AudioTempFolder();
        var path = folder.File("keep.txt");
        File.WriteAllText(path, "old");
        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([1, 2, 3]);
            throw new InvalidOperationException("writer failed");
        }));
        Assert.Equal("writer failed", error.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void FailedFirstWriteLeavesNothing()
    {
        using var folder = new AudioTempFolder();
        Assert.Throws<IOException>(() => AtomicFile.Write(folder.File("new.txt"), _ => throw new IOException("disk full")));
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void WavWriterGoesThroughTheAtomicPath()
    {
        using var folder = new AudioTempFolder();
        var path = folder.File("clip.wav");
        WavWriter.Write(path, new AudioClip([0.25f], 8000));
        Assert.Throws<ArgumentException>(() => WavWriter.Write(path, new AudioClip([float.PositiveInfinity], 8000)));
        Assert.Equal([0.25f], AudioFile.Read(path).Samples);
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }
}
