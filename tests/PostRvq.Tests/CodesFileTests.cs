using System.Buffers.Binary;
using System.Security.Cryptography;
using PostRvq.Codecs;
using PostRvq.Metrics;

namespace PostRvq.Tests;

public class CodesFileTests
{
    /// <summary>Random codes for <paramref name="seconds"/> of 24 kHz audio at hop 320 (75 Hz) from codebooks of the given sizes.</summary>
    internal static EncodedAudio Sample(double seconds, long[] sizes, int seed = 0)
    {
        var random = new Random(seed);
        var length = (long)Math.Round(seconds * 24000);
        var frames = (length + 319) / 320;
        return new EncodedAudio
        {
            SampleRate = 24000,
            SampleLength = length,
            FrameRate = 75,
            Bits = sizes.Select(BitPacking.BitsFor).ToArray(),
            ModelId = "0123456789abcdef",
            QuantizerId = "fedcba9876543210",
            Codes = Enumerable.Range(0, (int)frames * sizes.Length).Select(i => random.NextInt64(sizes[i % sizes.Length])).ToArray(),
        };
    }

    static void AssertSame(EncodedAudio expected, EncodedAudio actual)
    {
        Assert.Equal(expected.SampleRate, actual.SampleRate);
        Assert.Equal(expected.SampleLength, actual.SampleLength);
        Assert.Equal(expected.FrameRate, actual.FrameRate);
        Assert.Equal(expected.Bits, actual.Bits);
        Assert.Equal(expected.ModelId, actual.ModelId);
        Assert.Equal(expected.QuantizerId, actual.QuantizerId);
        Assert.Equal(expected.Codes, actual.Codes);
    }

    static string Saved(TempFolder folder, EncodedAudio codes)
    {
        var path = folder.File("clip" + CodesFile.Extension);
        CodesFile.Save(path, codes);
        return path;
    }

    [Fact]
    public void SaveLoadRoundTripsMixedCodebookSizes()
    {
        using var folder = new TempFolder();
        var codes = Sample(1.01, [1024, 5, 1000, 2, 65536]);
        AssertSame(codes, CodesFile.Load(Saved(folder, codes)));
    }

    [Theory]
    [InlineData(3.0, 4)]
    [InlineData(3.0, 32)]
    [InlineData(1.234, 12)]
    public void FileSizeIsTheStatedBitratePlusASmallHeader(double seconds, int codebooks)
    {
        using var folder = new TempFolder();
        var codes = Sample(seconds, Enumerable.Repeat(1024L, codebooks).ToArray());
        var size = new FileInfo(Saved(folder, codes)).Length;
        var kbps = Bitrate.Kbps(codebooks, 1024, 75);
        Assert.Equal(kbps, codes.Kbps, 9);
        Assert.Equal(CodesFile.OverheadBytes(codebooks) + (codes.Frames * codebooks * 10 + 7) / 8, size);
        Assert.True(CodesFile.OverheadBytes(codebooks) < 200, $"{CodesFile.OverheadBytes(codebooks)} header bytes");
        // The codes cost the bitrate times the duration, give or take the last, partial frame.
        var payload = size - CodesFile.OverheadBytes(codebooks);
        Assert.InRange(payload - kbps * 1000 * seconds / 8, 0, codebooks * 10 / 8.0 + 1);
    }

    [Fact]
    public void ExactlyThreeSecondsAtThreeKbpsIs1125BytesOfCodes()
    {
        using var folder = new TempFolder();
        var size = new FileInfo(Saved(folder, Sample(3.0, [1024, 1024, 1024, 1024]))).Length;
        Assert.Equal(CodesFile.OverheadBytes(4) + 3 * 3000 / 8, size);
    }

    [Fact]
    public void EveryTruncationIsRefusedAsTruncated()
    {
        using var folder = new TempFolder();
        var path = Saved(folder, Sample(0.5, [32, 32, 32]));
        var bytes = File.ReadAllBytes(path);
        foreach (var length in new[] { 3, 10, 40, CodesFile.OverheadBytes(3) - 33, bytes.Length - 40, bytes.Length - 1 })
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.Throws<InvalidDataException>(() => CodesFile.Load(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("truncated", error.Message);
        }
    }

    [Fact]
    public void ANewerVersionSaysSoEvenWithAValidChecksum()
    {
        using var folder = new TempFolder();
        var path = Saved(folder, Sample(0.5, [16, 16]));
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), CodesFile.FormatVersion + 1);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => CodesFile.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("newer PostRvq", error.Message);
    }

    [Fact]
    public void AFlippedBitIsCaughtByTheChecksum()
    {
        using var folder = new TempFolder();
        var path = Saved(folder, Sample(0.5, [16, 16]));
        var bytes = File.ReadAllBytes(path);
        bytes[CodesFile.OverheadBytes(2) - 32 + 3] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => CodesFile.Load(path));
        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public void ForeignAndPaddedFilesAreRefused()
    {
        using var folder = new TempFolder();
        var path = Saved(folder, Sample(0.5, [16]));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, [.. bytes, 0]);
        Assert.Throws<InvalidDataException>(() => CodesFile.Load(path));
        File.WriteAllBytes(path, "RIFF0000WAVEfmt "u8.ToArray());
        Assert.Contains("not a PostRvq codes file", Assert.Throws<InvalidDataException>(() => CodesFile.Load(path)).Message);
        File.WriteAllBytes(path, []);
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => CodesFile.Load(path)).Message);
        Assert.Contains("no such", Assert.Throws<InvalidDataException>(() => CodesFile.Load(folder.File("none.codes"))).Message);
    }

    [Fact]
    public void InconsistentCodesAreNotWritten()
    {
        var codes = Sample(0.1, [16, 16]);
        Assert.Throws<ArgumentOutOfRangeException>(() => CodesFile.ToBytes(codes with { Codes = [.. codes.Codes[..^1], 16] }));
        Assert.Throws<ArgumentException>(() => CodesFile.ToBytes(codes with { Codes = codes.Codes[..^1] }));
        Assert.Throws<ArgumentException>(() => CodesFile.ToBytes(codes with { ModelId = "not hex" }));
    }

    [Fact]
    public void ASaveThatFailsLeavesTheOldFile()
    {
        using var folder = new TempFolder();
        var codes = Sample(0.2, [8]);
        var path = Saved(folder, codes);
        Assert.ThrowsAny<ArgumentException>(() => CodesFile.Save(path, codes with { Codes = [.. codes.Codes[..^1], 99] }));
        AssertSame(codes, CodesFile.Load(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }
}
