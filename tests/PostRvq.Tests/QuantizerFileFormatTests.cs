using System.Text.Json.Nodes;
using PostRvq.Codecs;
using PostRvq.IO;
using PostRvq.Quantization;
using static TorchSharp.torch;

namespace PostRvq.Tests;

/// <summary>
/// The <c>.quantizer</c> file is a safetensors file whose metadata holds the quantizer's JSON header and a SHA-256; files
/// of the first format (PRVQQUAN) still load and convert to the same state, so a quantizer's id survives the change.
/// </summary>
[Collection(SerialCollection.Name)]
public class QuantizerFileFormatTests
{
    static readonly QuantizerRequest Request = new(Dimension: 8, TargetKbps: 0.6, FrameRate: 75, Seed: 5)
    {
        CodebookSize = 16,
        KMeans = new KMeansOptions { Iterations = 3 },
    };

    /// <summary>The first format, as its writer made it: a checksummed container around the state bytes.</summary>
    internal static void SaveLegacy(string path, QuantizerState state) =>
        ChecksummedFile.Write(path, "PRVQQUAN", 1, writer => QuantizerFile.Write(writer, state));

    static (IQuantizer Quantizer, Tensor Latents, string Path) Fitted(string method, TempFolder folder)
    {
        var quantizer = QuantizerZoo.Create(method, Request);
        quantizer.Fit(QuantizationRvqTests.Latents(2000, Request.Dimension, seed: 21));
        var path = folder.File(method + QuantizerFile.Extension);
        quantizer.Save(path);
        var z = QuantizationRvqTests.Latents(40, Request.Dimension, seed: 22).view(1, 40, Request.Dimension).permute(0, 2, 1);
        return (quantizer, z, path);
    }

    [Theory]
    [MemberData(nameof(QuantizationContractTests.Methods), MemberType = typeof(QuantizationContractTests))]
    public void EveryZooKind_RoundTripsThroughSafetensorsWithItsHeaderAsJson(string method)
    {
        using var folder = new TempFolder();
        var (quantizer, z, path) = Fitted(method, folder);
        Assert.False(QuantizerFile.IsLegacy(path));

        var content = SafetensorsFile.Load(path);
        Assert.Equal("postrvq-quantizer", content.Metadata["format"]);
        Assert.Equal("2", content.Metadata["format_version"]);
        Assert.Matches("^[0-9a-f]{64}$", content.Metadata["sha256"]);
        var header = JsonNode.Parse(content.Metadata["quantizer"])!.AsObject();
        Assert.Equal(quantizer.Kind, header["kind"]!.GetValue<string>());
        Assert.Equal(Request.Dimension, header["dimension"]!.GetValue<int>());
        Assert.IsType<JsonObject>(header["settings"]);
        Assert.Equal(content.Tensors.Keys.Order(), header["tensors"]!.AsArray().Select(n => n!.GetValue<string>()).Order());

        var loaded = QuantizerFile.Load(path);
        Assert.Equal(quantizer.Kind, loaded.Kind);
        var codes = quantizer.Encode(z);
        Assert.True(loaded.Encode(z).eq(codes).all().item<bool>(), $"{method}: loaded codes differ");
        Assert.True(loaded.Decode(codes).eq(quantizer.Decode(codes)).all().item<bool>(), $"{method}: loaded decode differs");
    }

    [Theory]
    [MemberData(nameof(QuantizationContractTests.Methods), MemberType = typeof(QuantizationContractTests))]
    public void EveryZooKind_InTheFirstFormatLoadsAndConvertsToTheSameState(string method)
    {
        using var folder = new TempFolder();
        var (quantizer, z, path) = Fitted(method, folder);
        var legacy = folder.File("legacy" + QuantizerFile.Extension);
        SaveLegacy(legacy, QuantizerFile.ReadState(path));
        Assert.True(QuantizerFile.IsLegacy(legacy));
        // The state bytes, and so the quantizer id that .codes files carry, do not depend on the format.
        Assert.Equal(QuantizerFile.ReadBytes(path), QuantizerFile.ReadBytes(legacy));
        var codes = quantizer.Encode(z);
        Assert.True(QuantizerFile.Load(legacy).Decode(codes).eq(quantizer.Decode(codes)).all().item<bool>(), $"{method}: the first format decodes differently");

        var converted = folder.File("converted" + QuantizerFile.Extension);
        var (code, output, error) = CliRunner.Run("convert-quantizer", legacy, "--out", converted);
        Assert.True(code == 0, error);
        Assert.Contains(ContentId.Of(QuantizerFile.ReadBytes(legacy)), output);
        Assert.False(QuantizerFile.IsLegacy(converted));
        Assert.Equal(QuantizerFile.ReadBytes(legacy), QuantizerFile.ReadBytes(converted));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(converted));
    }

    [Fact]
    public void Conversion_RefusesToOverwriteItsInput()
    {
        using var folder = new TempFolder();
        var (_, _, path) = Fitted(QuantizerKinds.Rvq, folder);
        var legacy = folder.File("legacy" + QuantizerFile.Extension);
        SaveLegacy(legacy, QuantizerFile.ReadState(path));
        var before = File.ReadAllBytes(legacy);
        var (code, _, error) = CliRunner.Run("convert-quantizer", legacy, "--out", legacy);
        Assert.Equal(1, code);
        Assert.Contains("would overwrite", error);
        Assert.Equal(before, File.ReadAllBytes(legacy));
    }

    [Fact]
    public void TheChecksum_CoversTensorsAndHeaderAndTheErrorNamesTheFile()
    {
        using var folder = new TempFolder();
        var (_, _, path) = Fitted(QuantizerKinds.Srvq, folder);
        var bytes = File.ReadAllBytes(path);

        var flipped = folder.File("flipped" + QuantizerFile.Extension);
        var data = (byte[])bytes.Clone();
        data[^5] ^= 0x01;
        File.WriteAllBytes(flipped, data);
        var error = Assert.Throws<InvalidDataException>(() => QuantizerFile.Load(flipped)).Message;
        Assert.Contains(flipped, error);
        Assert.Contains("SHA-256", error);

        // A header edit that still parses (a setting changed) is caught too: the checksum covers the JSON.
        var content = SafetensorsFile.Load(path);
        var metadata = new Dictionary<string, string>(content.Metadata);
        metadata["quantizer"] = metadata["quantizer"].Replace("\"seed\":5", "\"seed\":6", StringComparison.Ordinal);
        Assert.NotEqual(content.Metadata["quantizer"], metadata["quantizer"]);
        var edited = folder.File("edited" + QuantizerFile.Extension);
        SafetensorsFile.Save(edited, content.Tensors, metadata);
        error = Assert.Throws<InvalidDataException>(() => QuantizerFile.Load(edited)).Message;
        Assert.Contains(edited, error);
        Assert.Contains("SHA-256", error);

        var foreign = folder.File("latents" + QuantizerFile.Extension);
        SafetensorsFile.Save(foreign, content.Tensors, new Dictionary<string, string> { ["format"] = "postrvq-latents" });
        Assert.Contains("not a PostRvq quantizer file", Assert.Throws<InvalidDataException>(() => QuantizerFile.Load(foreign)).Message);
    }

    [Fact]
    public void TheShippedQuantizers_AreSafetensorsWithTheirIdsKept()
    {
        var models = RepositoryFiles.Path("data", "models");
        // The ids the shipped quantizers had in the first format: converting them kept every state byte.
        foreach (var (name, id) in new[] { ("tiny-cpu-waveform-e2e", "be56ce63b27733c6"), ("tiny-cpu-waveform-finetuned-16k", "dd051772b416f2d7") })
        {
            var path = Path.Combine(models, name + QuantizerFile.Extension);
            Assert.False(QuantizerFile.IsLegacy(path), $"{path} is still in the first format");
            Assert.Equal(id, ContentId.Of(QuantizerFile.ReadBytes(path)));
        }
    }
}
