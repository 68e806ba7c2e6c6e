using System.Security.Cryptography;
using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.Latents;
using PostRvq.Nn;
using PostRvq.Quantization;
using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class CodecFileTests(TinyCodecFixture tiny) : IClassFixture<TinyCodecFixture>
{
    [Fact]
    public void IdsAreShortHashesOfTheWeightsAndTheQuantizerState()
    {
        var codec = tiny.Codec;
        Assert.Equal(Codec.PostTraining, codec.Kind);
        Assert.Matches("^[0-9a-f]{16}$", codec.ModelId);
        var state = QuantizerFile.ToBytes(QuantizerFile.ReadState(tiny.QuantizerPath));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(state))[..16], codec.QuantizerId);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ModelFile.WeightBytes(codec.Model)))[..16], codec.ModelId);

        using var continuous = Codec.Load(tiny.ModelPath);
        Assert.Equal(Codec.Continuous, continuous.Kind);
        Assert.Null(continuous.Quantizer);
        Assert.Null(continuous.QuantizerId);
        Assert.Equal(codec.ModelId, continuous.ModelId);

        using var otherModel = Codec.Load(tiny.OtherModelPath, tiny.OtherQuantizerPath);
        Assert.NotEqual(codec.ModelId, otherModel.ModelId);
        Assert.NotEqual(codec.QuantizerId, otherModel.QuantizerId);
    }

    [Fact]
    public void ABundleKeepsItsPartsIdsAndCodes()
    {
        using var folder = new TempFolder();
        using var parts = Codec.Load(tiny.ModelPath, tiny.QuantizerPath, Codec.PostTrainingFinetuned);
        var path = folder.File("tiny" + CodecFile.Extension);
        parts.Save(path);
        using var bundle = Codec.Load(path);
        Assert.Equal(Codec.PostTrainingFinetuned, bundle.Kind);
        Assert.Equal(parts.ModelId, bundle.ModelId);
        Assert.Equal(parts.QuantizerId, bundle.QuantizerId);
        Assert.Equal(parts.Info, bundle.Info with { Options = parts.Info.Options });
        var clip = tiny.Clip();
        var fromParts = parts.Encode(clip);
        Assert.Equal(fromParts.Codes, bundle.Encode(clip).Codes);
        SampleAssert.Close(parts.Decode(fromParts).Samples, bundle.Decode(fromParts).Samples);
    }

    [Fact]
    public void DecodingCodesIsDecodingTheQuantizedLatents()
    {
        var clip = tiny.Clip();
        var decoded = tiny.Codec.Decode(tiny.Codec.Encode(clip));
        Assert.Equal(clip.Length, decoded.Length);
        Assert.Equal(clip.SampleRate, decoded.SampleRate);
        SampleAssert.Close(tiny.QuantizedReconstruction(clip), decoded.Samples);
        SampleAssert.Close(decoded.Samples, tiny.Codec.Reconstruct(clip).Samples);
    }

    [Fact]
    public void ChunkedCodingMatchesWholeClipCoding()
    {
        var clip = tiny.Clip();
        var whole = tiny.Codec.Encode(clip);
        var chunking = new ChunkingOptions { ChunkSeconds = 0.4, ContextSeconds = 0.5 };
        var chunked = tiny.Codec.Encode(clip, chunking: chunking);
        var agreement = whole.Codes.Zip(chunked.Codes, (a, b) => a == b ? 1.0 : 0.0).Average();
        // Float rounding can move a residual across a Voronoi boundary in a late stage, so a few codes may differ.
        Assert.True(agreement > 0.98, $"{agreement:P1} of codes agree");
        var largest = tiny.Codec.Decode(whole).Samples.Zip(tiny.Codec.Decode(whole, chunking).Samples, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 1e-4, $"largest difference {largest}");
    }

    [Fact]
    public void FewerCodebooksForALowerBitrate()
    {
        var codec = tiny.Codec;
        // 32-entry codebooks at 75 Hz cost 0.375 kbps each.
        Assert.Equal(2, codec.CodebooksFor(0.75));
        Assert.Equal(4, codec.CodebooksFor(1.5));
        Assert.Contains("has 4", Assert.Throws<ArgumentException>(() => codec.CodebooksFor(3)).Message);
        var clip = tiny.Clip();
        var codes = codec.Encode(clip, codebooks: 2);
        Assert.Equal([5, 5], codes.Bits);
        Assert.Equal(0.75, codes.Kbps, 9);
        SampleAssert.Close(tiny.QuantizedReconstruction(clip, codec.QuantizerWith(2)), codec.Decode(codes).Samples);
    }

    [Fact]
    public void CodebooksOfTwentyEntriesTakeFiveBitsAndCodesBeyondThemAreRefused()
    {
        using var codec = Codec.Load(tiny.ModelPath, tiny.OddSizeQuantizerPath);
        var clip = tiny.Clip().SliceSamples(0, 3200);
        var codes = codec.Encode(clip);
        Assert.Equal([5, 5, 5, 5], codes.Bits);
        SampleAssert.Close(tiny.QuantizedReconstruction(clip, codec.Quantizer), codec.Decode(CodesFile.FromBytes(CodesFile.ToBytes(codes), "memory")).Samples);
        var beyond = codes with { Codes = [.. codes.Codes[..^1], 25] };
        Assert.Contains("beyond its 20-entry codebook", Assert.Throws<InvalidDataException>(() => codec.Decode(beyond)).Message);
    }

    [Fact]
    public void AClipAtAnotherRateComesBackAtItsRateAndLength()
    {
        var clip = Resampler.Resample(tiny.Clip(), 16000).SliceSamples(0, 8001);
        var codes = tiny.Codec.Encode(clip);
        // 8001 samples at 16 kHz are 12002 at 24 kHz (rounded half up), which take 38 frames of 320.
        Assert.Equal(38, codes.Frames);
        var decoded = tiny.Codec.Decode(codes);
        Assert.Equal(16000, decoded.SampleRate);
        Assert.Equal(8001, decoded.Length);
    }

    [Fact]
    public void CodesFromAnotherModelOrQuantizerAreRefused()
    {
        using var otherModel = Codec.Load(tiny.OtherModelPath, tiny.QuantizerPath);
        using var otherQuantizer = Codec.Load(tiny.ModelPath, tiny.OtherQuantizerPath);
        var codes = tiny.Codec.Encode(tiny.Clip().SliceSamples(0, 4000));
        var modelError = Assert.Throws<InvalidDataException>(() => otherModel.Decode(codes));
        Assert.Contains($"model {tiny.Codec.ModelId}", modelError.Message);
        Assert.Contains(otherModel.ModelId, modelError.Message);
        var quantizerError = Assert.Throws<InvalidDataException>(() => otherQuantizer.Decode(codes));
        Assert.Contains($"quantizer {tiny.Codec.QuantizerId}", quantizerError.Message);
        Assert.Contains(otherQuantizer.QuantizerId!, quantizerError.Message);
    }

    [Fact]
    public void AQuantizerOfAnotherDimensionIsRefusedNamingBothFiles()
    {
        var error = Assert.Throws<InvalidDataException>(() => Codec.Load(tiny.ModelPath, tiny.NarrowQuantizerPath));
        Assert.Contains(tiny.ModelPath, error.Message);
        Assert.Contains(tiny.NarrowQuantizerPath, error.Message);
        Assert.Contains("8-dimensional", error.Message);
        Assert.Contains("latent dim 64", error.Message);
    }

    [Fact]
    public void ACorruptBundleIsRefusedNamingTheFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("c.codec");
        tiny.Codec.Save(path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => Codec.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("corrupt", error.Message);
        File.WriteAllBytes(path, bytes[..100]);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => Codec.Load(path)).Message);
    }

    [Fact]
    public void AContinuousCodecCannotMakeCodesButReconstructs()
    {
        using var codec = Codec.Load(tiny.ModelPath);
        var clip = tiny.Clip().SliceSamples(0, 8000);
        Assert.Throws<InvalidOperationException>(() => codec.Encode(clip));
        SampleAssert.Close(Reconstruction.Run(codec.Model, clip).Samples, codec.Reconstruct(clip).Samples);
        Assert.Throws<ArgumentException>(() => Codec.Load(tiny.ModelPath, tiny.QuantizerPath, Codec.Continuous));
        Assert.Throws<ArgumentException>(() => Codec.Load(tiny.ModelPath, tiny.QuantizerPath, "mp3"));
    }
}

/// <summary>
/// The shipped tiny-cpu model with small RVQs fitted on the latents of three sample clips (4 codebooks of 32
/// entries, a second fit with another seed, one with 20-entry codebooks, and one on 8-dimensional latents), a copy of the model with one weight
/// changed, a quantizer that cannot be truncated, and the first second of a test-split sample clip; all in a
/// temporary folder. <see cref="Codec"/> combines the model with the first RVQ.
/// </summary>
public sealed class TinyCodecFixture : IDisposable
{
    readonly TempFolder folder = new();

    public TinyCodecFixture()
    {
        var samples = Corpus.Load(RepositoryFiles.Path("data", "samples"));
        var test = samples.Split("test");
        WavWriter.Write(ClipPath, test.LoadClip(test.Entries[0], 24000).SliceSamples(0, 24000));
        var (model, info) = ModelFile.Load(ModelPath);
        using (model)
        using (var scope = NewDisposeScope())
        using (var noGrad = no_grad())
        {
            var train = samples.Split("train").Entries.Take(3).Select(entry => samples.Split("train").LoadClip(entry, 24000)).ToList();
            var latents = model.Encode(AudioTensors.ToBatch(train, 72000)).permute(0, 2, 1).reshape(-1, model.Options.LatentDim);
            FitAndSave(latents, seed: 0, QuantizerPath);
            FitAndSave(latents, seed: 1, OtherQuantizerPath);
            FitAndSave(latents.narrow(1, 0, 8).contiguous(), seed: 0, NarrowQuantizerPath);
            FitAndSave(latents, seed: 0, OddSizeQuantizerPath, codebookSize: 20);
            new FixedRateQuantizer(QuantizerFile.Load(QuantizerPath)).Save(FixedRateQuantizerPath);
            model.parameters().First().add_(0.01f);
            ModelFile.Save(OtherModelPath, model, info);
        }
        Codec = Codec.Load(ModelPath, QuantizerPath);
    }

    public string ModelPath { get; } = RepositoryFiles.Path("data", "models", "tiny-cpu.model");
    public string OtherModelPath => folder.File("nudged.model");
    public string QuantizerPath => folder.File("rvq" + QuantizerFile.Extension);
    public string OtherQuantizerPath => folder.File("rvq-seed1" + QuantizerFile.Extension);
    public string NarrowQuantizerPath => folder.File("rvq-8d" + QuantizerFile.Extension);
    public string FixedRateQuantizerPath => folder.File("fixed" + QuantizerFile.Extension);
    public string OddSizeQuantizerPath => folder.File("rvq-20" + QuantizerFile.Extension);

    /// <summary>1 s of a test-split sample at 24 kHz: short, so that every test stays fast.</summary>
    public string ClipPath => folder.File("clip.wav");

    /// <summary>The shipped model with the first RVQ; tests of one class run one at a time, so they can share it.</summary>
    public Codec Codec { get; }

    public AudioClip Clip() => AudioFile.Read(ClipPath);

    /// <summary>Model.Decode(quantizer.Quantize(Model.Encode(x)).Quantized) on the whole clip, trimmed to its length.</summary>
    public float[] QuantizedReconstruction(AudioClip clip, IQuantizer? quantizer = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var z = Codec.Model.Encode(AudioTensors.ToBatch(clip));
        var quantized = (quantizer ?? Codec.Quantizer!).Quantize(z).Quantized;
        return Codec.Model.Decode(quantized).narrow(-1, 0, clip.Length).reshape(-1).data<float>().ToArray();
    }

    static void FitAndSave(Tensor latents, int seed, string path, int codebookSize = 32)
    {
        var rvq = new ResidualVectorQuantizer((int)latents.shape[1],
            new RvqOptions { Codebooks = 4, CodebookSize = codebookSize, Seed = seed, KMeans = new KMeansOptions { Iterations = 5 } });
        rvq.Fit(latents);
        rvq.Save(path);
    }

    public void Dispose()
    {
        Codec.Dispose();
        folder.Dispose();
    }
}

/// <summary>A quantizer that codes at one bitrate only, as a researcher's own quantizer might: an RVQ that does not offer truncation.</summary>
sealed class FixedRateQuantizer(IQuantizer inner) : DelegatingQuantizer(inner)
{
    const string FixedRateKind = "fixed-rate-rvq-test";

    static FixedRateQuantizer() =>
        QuantizerFile.Register(FixedRateKind, state => new FixedRateQuantizer(ResidualVectorQuantizer.FromState(state with { Kind = QuantizerKinds.Rvq })));

    public override string Kind => FixedRateKind;

    public override void Save(string path)
    {
        base.Save(path);
        QuantizerFile.Save(path, QuantizerFile.ReadState(path) with { Kind = Kind });
    }
}
