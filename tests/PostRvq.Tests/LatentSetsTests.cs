using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Data;
using PostRvq.IO;
using PostRvq.Latents;
using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class LatentSetsTests
{
    static readonly string ModelPath = RepositoryFiles.Path("data", "models", "tiny-cpu.model");
    static readonly string SamplesPath = RepositoryFiles.Path("data", "samples");

    static LatentSet SmallSet(int frames = 30, int dimension = 4) => new()
    {
        Frames = arange(frames * dimension, dtype: ScalarType.Float32).reshape(frames, dimension),
        FrameRate = 75,
        SampleRate = 24000,
        ClipIds = ["a", "b/c"],
        ClipFrames = [10, frames - 10],
        Split = "valid",
        Seed = 3,
        ModelId = "0123456789abcdef",
        Source = "unit test",
    };

    [Fact]
    public void ShippedModelOnSampleClips_Gives64DimensionalFramesAt75HzThatSumToN()
    {
        var corpus = Corpus.Load(SamplesPath).Split("test");
        using var set = LatentSets.FromFiles(ModelPath, SamplesPath, "test", new LatentEncodingOptions { MaxClips = 2, Seed = 1 });
        Assert.Equal(64, set.Dimension);
        Assert.Equal(75.0, set.FrameRate);
        Assert.Equal(24000, set.SampleRate);
        Assert.Equal(2, set.ClipIds.Count);
        Assert.Equal(set.Count, set.ClipFrames.Sum());
        Assert.All(set.ClipIds, id => Assert.Contains(id, corpus.Entries.Select(e => e.Id)));
        // Each 3 s clip at 24 kHz is ⌈72000 / 320⌉ = 225 frames.
        Assert.All(set.ClipFrames, frames => Assert.Equal(225L, frames));
        Assert.Equal(ModelFile.IdOf(ModelPath), set.ModelId);
        Assert.Equal("test", set.Split);
        Assert.True(set.Frames.isfinite().all().item<bool>());
        using var second = set.ClipLatents(1);
        Assert.Equal([1L, 64, 225], second.shape);
        Assert.True(second[0].t().eq(set.Frames.narrow(0, 225, 225)).all().item<bool>());
    }

    [Fact]
    public void ChunkedEncodingAndDecodingMatchWholeClipProcessing()
    {
        // The shipped model's strides and dilations (so its receptive field) with narrow layers, for speed.
        using var model = Nn.Autoencoder.Create(new Nn.AutoencoderOptions { EncoderDim = 2, LatentDim = 4, DecoderDim = 16 });
        var clip = SyntheticAudio.Clip(1.0, 24000, seed: 4).SliceSamples(0, 21_500);
        var chunking = new ChunkingOptions { ChunkSeconds = 0.3, ContextSeconds = 0.5 };
        using var whole = LatentCodec.Encode(model, clip);
        using var chunked = LatentCodec.Encode(model, clip, chunking);
        Assert.Equal([1L, 4, 68], whole.shape);
        Assert.True(whole.allclose(chunked, rtol: 1e-4, atol: 1e-5), $"max difference {(whole - chunked).abs().max().item<float>()}");
        var decodedWhole = LatentCodec.Decode(model, whole, clip.Length);
        var decodedChunked = LatentCodec.Decode(model, whole, clip.Length, chunking);
        Assert.Equal(clip.Length, decodedChunked.Length);
        var difference = decodedWhole.Samples.Zip(decodedChunked.Samples, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(difference < 1e-5, $"max sample difference {difference}");
    }

    [Fact]
    public void MaxClipsDrawsTheSameClipsForTheSameSeed_InCorpusOrder()
    {
        using var model = Nn.Autoencoder.Create(new Nn.AutoencoderOptions { EncoderDim = 2, LatentDim = 4, DecoderDim = 16 });
        var clips = SyntheticAudio.Clips(6, 0.1, 24000);
        var ids = Enumerable.Range(0, 6).Select(i => $"c{i}").ToList();
        using var a = LatentSets.Encode(model, clips, ids, new LatentEncodingOptions { MaxClips = 3, Seed = 5 });
        using var b = LatentSets.Encode(model, clips, ids, new LatentEncodingOptions { MaxClips = 3, Seed = 5 });
        Assert.Equal(3, a.ClipIds.Count);
        Assert.Equal(a.ClipIds, b.ClipIds);
        Assert.Equal(a.ClipIds.Order(StringComparer.Ordinal), a.ClipIds);
        Assert.Equal(5, a.Seed);
        Assert.True(a.Frames.eq(b.Frames).all().item<bool>());
    }

    [Fact]
    public void SaveWritesThreeFilesAndLoadRoundTrips()
    {
        using var folder = new TempFolder();
        using var set = SmallSet();
        LatentSetFile.Save(folder.Path, set);
        Assert.True(File.Exists(folder.File(LatentSetFile.JsonName)));
        using (var npy = NpyFile.Load(folder.File(LatentSetFile.NpyName)))
            Assert.True(npy.eq(set.Frames).all().item<bool>());
        using var back = LatentSetFile.Load(folder.Path);
        Assert.True(back.Frames.eq(set.Frames).all().item<bool>());
        Assert.Equal(set.ClipIds, back.ClipIds);
        Assert.Equal(set.ClipFrames, back.ClipFrames);
        Assert.Equal(set with { Frames = back.Frames, ClipIds = back.ClipIds, ClipFrames = back.ClipFrames }, back);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(folder.File(LatentSetFile.JsonName)))!;
        Assert.Equal("b/c", json["clips"]![1]!["id"]!.GetValue<string>());
        Assert.Equal(20, json["clips"]![1]!["frames"]!.GetValue<long>());
    }

    [Fact]
    public void LoadErrorsNameTheFileAndTheProblem()
    {
        using var folder = new TempFolder();
        var missing = Assert.Throws<InvalidDataException>(() => LatentSetFile.Load(folder.File("nowhere")));
        Assert.Contains("nowhere", missing.Message);
        Assert.Contains($"holds no {LatentSetFile.SafetensorsName}", Assert.Throws<InvalidDataException>(() => LatentSetFile.Load(folder.Path)).Message);

        using var set = SmallSet();
        LatentSetFile.Save(folder.Path, set);
        var file = folder.File(LatentSetFile.SafetensorsName);
        var bytes = File.ReadAllBytes(file);
        // The first frame's first byte: the frames come first after the header.
        bytes[8 + (int)BitConverter.ToUInt64(bytes, 0)] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        var corrupt = Assert.Throws<InvalidDataException>(() => LatentSetFile.Load(folder.Path));
        Assert.Contains(LatentSetFile.SafetensorsName, corrupt.Message);
        Assert.Contains("corrupt", corrupt.Message);

        var content = SafetensorsFile.Load(file);
        using var flat = set.Frames.flatten();
        SafetensorsFile.Save(file, [new("frames", flat), new("clip_frames", content.Tensor("clip_frames"))], content.Metadata);
        var shape = Assert.Throws<InvalidDataException>(() => LatentSetFile.Load(folder.Path));
        Assert.Contains("'frames' must be [N, D]", shape.Message);
        foreach (var value in content.Tensors.Values) value.Dispose();
    }

    [Fact]
    public void InconsistentClipFramesAreRefused()
    {
        using var set = SmallSet() with { ClipFrames = [10, 5] };
        Assert.Contains("sum to 15", Assert.Throws<ArgumentException>(set.Validate).Message);
    }

    [Fact]
    public void DimensionSpreadIsEachDimensionsStandardDeviation()
    {
        var frames = tensor(new float[] { 1, 10, 0, -1, -10, 0, 1, 10, 0, -1, -10, 0 }).reshape(4, 3);
        using var set = SmallSet() with { Frames = frames, ClipIds = ["a"], ClipFrames = [4] };
        Assert.Equal([1.0, 10.0, 0.0], set.DimensionSpread());
    }
}
