using System.Text;
using PostRvq.Audio;

namespace PostRvq.Tests;

public class AudioFileErrorTests
{
    [Fact]
    public void MissingFile()
    {
        using var folder = new AudioTempFolder();
        AssertRejected(folder.File("nowhere.wav"), "not found");
    }

    [Fact]
    public void FolderInsteadOfFile()
    {
        using var folder = new AudioTempFolder();
        Directory.CreateDirectory(folder.File("sub.wav"));
        AssertRejected(folder.File("sub.wav"), "folder");
    }

    [Fact]
    public void ZeroLengthFile()
    {
        using var folder = new AudioTempFolder();
        AssertRejected(folder.WriteBytes("empty.wav", []), "empty");
    }

    [Fact]
    public void TruncatedHeader()
    {
        using var folder = new AudioTempFolder();
        var wav = TestAudio.Wav(1, 1, 8000, 16, new byte[200]);
        AssertRejected(folder.WriteBytes("short.wav", wav[..8]), "truncated header");
        AssertRejected(folder.WriteBytes("cut-fmt.wav", wav[..24]), "truncated header");
    }

    [Fact]
    public void TruncatedData()
    {
        using var folder = new AudioTempFolder();
        var wav = TestAudio.Wav(1, 1, 8000, 16, new byte[200]);
        AssertRejected(folder.WriteBytes("cut-data.wav", wav[..100]), "truncated file");
    }

    [Fact]
    public void TruncatedDataAfterAnOddSizedChunk()
    {
        using var folder = new AudioTempFolder();
        var fmt = TestAudio.Wav(1, 1, 8000, 16, []).AsSpan(12, 24).ToArray();
        var wav = TestAudio.Riff(fmt, TestAudio.Chunk("LIST", [1, 2, 3]), TestAudio.Chunk("data", new byte[200]));
        AssertRejected(folder.WriteBytes("odd-cut.wav", wav[..120]), "truncated file: data chunk declares 200 bytes but only 64 remain");
    }

    [Fact]
    public void FmtChunkTooShortForItsExtensibleTag()
    {
        using var folder = new AudioTempFolder();
        var fmt = TestAudio.Wav(1, 1, 8000, 16, []).AsSpan(12, 24).ToArray();
        fmt[8] = 0xFE;
        fmt[9] = 0xFF;
        AssertRejected(folder.WriteBytes("short-ext.wav", TestAudio.Riff(fmt, TestAudio.Chunk("data", new byte[8]))), "corrupt header");
    }

    [Fact]
    public void HeaderWithoutDataChunk()
    {
        using var folder = new AudioTempFolder();
        var wav = TestAudio.Wav(1, 1, 8000, 16, []);
        AssertRejected(folder.WriteBytes("no-data.wav", wav[..36]), "no data chunk");
    }

    [Fact]
    public void GarbageBytesNamedWav()
    {
        using var folder = new AudioTempFolder();
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0x12;
        AssertRejected(folder.WriteBytes("garbage.wav", garbage), "not a WAV file");
    }

    [Theory]
    [InlineData("notes.txt", "not a supported audio file")]
    [InlineData("notes.wav", "not a WAV file")]
    [InlineData("notes.ogg", "not an Ogg file")]
    public void TextFile(string name, string reason)
    {
        using var folder = new AudioTempFolder();
        AssertRejected(folder.WriteBytes(name, Encoding.UTF8.GetBytes("These are notes, not audio.\n")), reason);
    }

    [Fact]
    public void GarbageNamedMp3()
    {
        using var folder = new AudioTempFolder();
        AssertRejected(folder.WriteBytes("notes.mp3", Encoding.UTF8.GetBytes(new string('x', 3000))), "MP3");
    }

    [Fact]
    public void CorruptOggStream()
    {
        using var folder = new AudioTempFolder();
        var bytes = new byte[2048];
        new Random(3).NextBytes(bytes);
        "OggS"u8.CopyTo(bytes);
        AssertRejected(folder.WriteBytes("broken.ogg", bytes), "Ogg");
    }

    [Theory]
    [InlineData((ushort)2, 4, "unsupported WAV encoding")]
    [InlineData((ushort)1, 12, "unsupported WAV encoding")]
    [InlineData((ushort)3, 16, "unsupported WAV encoding")]
    public void UnsupportedEncoding(ushort formatTag, int bits, string reason)
    {
        using var folder = new AudioTempFolder();
        AssertRejected(folder.WriteBytes("odd.wav", TestAudio.Wav(formatTag, 1, 8000, bits, new byte[64])), reason);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteSamplesInAFloatWav(float bad)
    {
        using var folder = new AudioTempFolder();
        var data = new[] { 0.1f, bad, 0.2f }.SelectMany(BitConverter.GetBytes).ToArray();
        var error = AssertRejected(folder.WriteBytes("nan.wav", TestAudio.Wav(3, 1, 8000, 32, data)), "sample 1");
        Assert.Contains("NaN or infinite", error.Reason);
    }

    static AudioFormatException AssertRejected(string path, string reason)
    {
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Read(path));
        Assert.Equal(path, error.Path);
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(reason, error.Reason);
        return error;
    }
}
