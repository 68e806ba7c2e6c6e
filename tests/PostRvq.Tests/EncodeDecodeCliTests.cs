using System.Buffers.Binary;
using System.Security.Cryptography;
using PostRvq.Audio;
using PostRvq.Cli;
using PostRvq.Codecs;
using Spectre.Console;

namespace PostRvq.Tests;

/// <summary><c>postrvq bundle</c>, <c>encode</c>, <c>decode</c> and <c>reconstruct --codec</c>, run in process on the shipped model.</summary>
[Collection(SerialCollection.Name)]
public class EncodeDecodeCliTests(TinyCodecFixture tiny) : IClassFixture<TinyCodecFixture>
{
    static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    static void Succeeds((int Code, string Output, string Error) result) => Assert.True(result.Code == 0, result.Error + result.Output);

    static string Fails((int Code, string Output, string Error) result)
    {
        Assert.True(result.Code == 1, $"exit code {result.Code}: {result.Output}");
        Assert.StartsWith("error: ", result.Error);
        return result.Error;
    }

    string[] Parts => ["--model", tiny.ModelPath, "--quantizer", tiny.QuantizerPath];

    [Fact]
    public void EncodeThenDecodeGivesTheQuantizedReconstructionAtTheOriginalLengthAndRate()
    {
        using var folder = new TempFolder();
        var codes = folder.File("clip.codes");
        var (_, output, _) = Run(["encode", tiny.ClipPath, "-o", codes, .. Parts]);
        Assert.Contains("1.5 kbps", output);
        Assert.Contains($"{new FileInfo(codes).Length:N0} bytes", output);
        Succeeds(Run(["decode", codes, "-o", folder.File("clip.wav"), .. Parts]));

        var input = tiny.Clip();
        var decoded = AudioFile.Read(folder.File("clip.wav"));
        Assert.Equal(input.SampleRate, decoded.SampleRate);
        Assert.Equal(input.Length, decoded.Length);
        var expected = tiny.QuantizedReconstruction(input);
        // The WAV is 16-bit: within half a step of the clipped float output.
        var largest = expected.Zip(decoded.Samples, (e, d) => Math.Abs(Math.Clamp(e, -1, 1) - d)).Max();
        Assert.True(largest <= 0.5 / 32768 + 1e-7, $"largest difference {largest}");
        // 75 frames of 4 × 5 bits: 1.5 kbps for 1 s is 187.5 bytes of codes.
        Assert.Equal(CodesFile.OverheadBytes(4) + 188, new FileInfo(codes).Length);
    }

    [Fact]
    public void KbpsKeepsTheFirstCodebooksThatFit()
    {
        using var folder = new TempFolder();
        var codes = folder.File("clip.codes");
        var (_, output, _) = Run(["encode", tiny.ClipPath, "--kbps", "0.8", "-o", codes, .. Parts]);
        Assert.Contains("2 of 4", output);
        Assert.Contains("0.75 kbps", output);
        Assert.Equal([5, 5], CodesFile.Load(codes).Bits);
        Succeeds(Run(["decode", codes, "-o", folder.File("clip.wav"), .. Parts]));
        Assert.Equal(tiny.Clip().Length, AudioFile.Read(folder.File("clip.wav")).Length);

        Assert.Contains("has 4", Fails(Run(["encode", tiny.ClipPath, "--kbps", "6", "-o", codes, .. Parts])));
    }

    [Fact]
    public void AQuantizerThatCannotBeTruncatedOnlyTakesItsOwnBitrate()
    {
        using var folder = new TempFolder();
        string[] codec = ["--model", tiny.ModelPath, "--quantizer", tiny.FixedRateQuantizerPath];
        var error = Fails(Run(["encode", tiny.ClipPath, "--kbps", "0.75", "-o", folder.File("a.codes"), .. codec]));
        Assert.Contains("cannot be truncated", error);
        Assert.Contains("1.5 kbps", error);
        Succeeds(Run(["encode", tiny.ClipPath, "--kbps", "1.5", "-o", folder.File("b.codes"), .. codec]));
        Succeeds(Run(["decode", folder.File("b.codes"), "-o", folder.File("b.wav"), .. codec]));
    }

    [Fact]
    public void ABundleAndItsPartsDecodeEachOthersCodes()
    {
        using var folder = new TempFolder();
        var bundle = folder.File("tiny.codec");
        var (_, output, _) = Run(["bundle", .. Parts, "-o", bundle]);
        Assert.Contains("postrvq", output);
        Succeeds(Run(["encode", tiny.ClipPath, "--codec", bundle, "-o", folder.File("a.codes")]));
        Succeeds(Run(["encode", tiny.ClipPath, "-o", folder.File("b.codes"), .. Parts]));
        Assert.Equal(File.ReadAllBytes(folder.File("a.codes")), File.ReadAllBytes(folder.File("b.codes")));
        Succeeds(Run(["decode", folder.File("a.codes"), "-o", folder.File("a.wav"), .. Parts]));
        Assert.Equal(tiny.Clip().Length, AudioFile.Read(folder.File("a.wav")).Length);
    }

    [Fact]
    public void DecodingWithAnotherModelOrQuantizerNamesTheIdThatDiffers()
    {
        using var folder = new TempFolder();
        var codes = folder.File("clip.codes");
        Succeeds(Run(["encode", tiny.ClipPath, "-o", codes, .. Parts]));
        var codec = tiny.Codec;

        var modelError = Fails(Run(["decode", codes, "-o", folder.File("x.wav"), "--model", tiny.OtherModelPath, "--quantizer", tiny.QuantizerPath]));
        Assert.Contains(codes, modelError);
        Assert.Contains($"model {codec.ModelId}", modelError);
        var quantizerError = Fails(Run(["decode", codes, "-o", folder.File("x.wav"), "--model", tiny.ModelPath, "--quantizer", tiny.OtherQuantizerPath]));
        Assert.Contains($"quantizer {codec.QuantizerId}", quantizerError);
        Assert.False(File.Exists(folder.File("x.wav")));
    }

    [Fact]
    public void TruncatedAndNewerCodesFilesAreRefused()
    {
        using var folder = new TempFolder();
        var codes = folder.File("clip.codes");
        Succeeds(Run(["encode", tiny.ClipPath, "-o", codes, .. Parts]));
        var bytes = File.ReadAllBytes(codes);

        File.WriteAllBytes(codes, bytes[..^10]);
        Assert.Contains("truncated", Fails(Run(["decode", codes, "-o", folder.File("x.wav"), .. Parts])));

        var newer = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(newer.AsSpan(8), CodesFile.FormatVersion + 1);
        SHA256.HashData(newer.AsSpan(0, newer.Length - 32), newer.AsSpan(newer.Length - 32));
        File.WriteAllBytes(codes, newer);
        Assert.Contains("newer PostRvq", Fails(Run(["decode", codes, "-o", folder.File("x.wav"), .. Parts])));
    }

    [Fact]
    public void AudioAtAnotherRateDecodesAtThatRate()
    {
        using var folder = new TempFolder();
        var input = folder.File("in16k.wav");
        WavWriter.Write(input, SyntheticAudio.Clip(0.7, 16000, seed: 4));
        Succeeds(Run(["encode", input, "-o", folder.File("x.codes"), .. Parts]));
        Succeeds(Run(["decode", folder.File("x.codes"), "-o", folder.File("x.wav"), .. Parts]));
        var decoded = AudioFile.Read(folder.File("x.wav"));
        Assert.Equal(16000, decoded.SampleRate);
        Assert.Equal(AudioFile.Read(input).Length, decoded.Length);
    }

    [Fact]
    public void ReconstructWithACodecQuantizesTheLatents()
    {
        using var folder = new TempFolder();
        var bundle = folder.File("tiny.codec");
        Succeeds(Run(["bundle", .. Parts, "-o", bundle]));
        Succeeds(Run(["reconstruct", "--codec", bundle, "--in", tiny.ClipPath, "--out", folder.File("r.wav")]));
        Succeeds(Run(["encode", tiny.ClipPath, "--codec", bundle, "-o", folder.File("c.codes")]));
        Succeeds(Run(["decode", folder.File("c.codes"), "--codec", bundle, "-o", folder.File("c.wav")]));
        Assert.Equal(File.ReadAllBytes(folder.File("c.wav")), File.ReadAllBytes(folder.File("r.wav")));

        Succeeds(Run(["reconstruct", "--model", tiny.ModelPath, "--in", tiny.ClipPath, "--out", folder.File("m.wav")]));
        Assert.NotEqual(File.ReadAllBytes(folder.File("m.wav")), File.ReadAllBytes(folder.File("r.wav")));
    }

    [Fact]
    public void EvaluateScoresACodecAtEachBitrateAndAContinuousModelOnce()
    {
        using var folder = new TempFolder();
        var csv = folder.File("rows.csv");
        var audio = Path.GetDirectoryName(tiny.ClipPath)!;
        var quantized = Run(["evaluate", .. Parts, "--data", audio, "--kbps", "0.75,1.5", "--csv", csv]);
        Succeeds(quantized);
        var rows = Evaluation.ComparisonCsv.Read(csv);
        Assert.Equal([0.75, 1.5], rows.Select(r => r.TargetKbps));
        Assert.All(rows, r => Assert.Equal(Codec.PostTraining, r.Method));
        Assert.True(rows[1].Codebooks > rows[0].Codebooks);
        Assert.True(rows[1].LatentSnrDb > rows[0].LatentSnrDb, $"latent SNR {rows[0].LatentSnrDb} → {rows[1].LatentSnrDb}");

        Succeeds(Run(["evaluate", "--model", tiny.ModelPath, "--data", audio, "--json", folder.File("m.json"), "--csv", folder.File("m.csv")]));
        Assert.Contains("\"mean\"", File.ReadAllText(folder.File("m.json")));
        // The continuous row pairs clip by clip with the quantized ones, as `postrvq claims` needs.
        var continuous = Assert.Single(Evaluation.ComparisonCsv.Read(folder.File("m.csv")));
        Assert.Equal("continuous", continuous.Method);
        Assert.Equal(rows[0].Clips.Count, continuous.Clips.Count);
        Assert.True(continuous.Mel < rows[0].Mel, $"continuous mel {continuous.Mel} vs {rows[0].Mel} at 0.75 kbps");
        Succeeds(Run(["evaluate", .. Parts, "--data", audio, "--kbps", "0.75", "--method", "srvq", "--csv", folder.File("named.csv")]));
        Assert.Equal("srvq", Assert.Single(Evaluation.ComparisonCsv.Read(folder.File("named.csv"))).Method);
        Assert.Contains("--kbps needs a codec with a quantizer", Fails(Run(["evaluate", "--model", tiny.ModelPath, "--data", audio, "--kbps", "3"])));
    }

    [Fact]
    public void UnusableCodecsAreRefusedWithClearErrors()
    {
        using var folder = new TempFolder();
        var codes = folder.File("x.codes");
        Assert.Contains("continuous", Fails(Run(["encode", tiny.ClipPath, "--model", tiny.ModelPath, "-o", codes])));
        Assert.Contains("--codec", Fails(Run(["encode", tiny.ClipPath, "-o", codes])));
        Assert.Contains("not both", Fails(Run(["encode", tiny.ClipPath, "--codec", "a.codec", "-o", codes, .. Parts])));
        var dimension = Fails(Run(["encode", tiny.ClipPath, "--model", tiny.ModelPath, "--quantizer", tiny.NarrowQuantizerPath, "-o", codes]));
        Assert.Contains(tiny.NarrowQuantizerPath, dimension);
        Assert.Contains("latent dim 64", dimension);

        var bundle = folder.File("tiny.codec");
        Succeeds(Run(["bundle", .. Parts, "-o", bundle]));
        var bytes = File.ReadAllBytes(bundle);
        bytes[^100] ^= 0x40;
        File.WriteAllBytes(bundle, bytes);
        Assert.Contains(bundle, Fails(Run(["encode", tiny.ClipPath, "--codec", bundle, "-o", codes])));
        Assert.Contains("kind", Fails(Run(["bundle", "--model", tiny.ModelPath, "--kind", "postrvq", "-o", bundle])));
        Assert.False(File.Exists(codes));
    }
}
