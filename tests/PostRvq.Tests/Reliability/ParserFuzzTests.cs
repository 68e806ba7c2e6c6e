using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.IO;
using PostRvq.Nn;
using PostRvq.Quantization;
using PostRvq.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PostRvq.Tests.Reliability;

/// <summary>
/// Issue 14, "Fuzzing": each parser meets truncated, bit-flipped and header-edited copies of small valid files, and
/// must either load a valid object or refuse with its one documented exception (naming the file), never anything
/// else. Checksummed formats are also fuzzed past their checksum (re-sealed), so the fields behind it get tested.
/// CI runs a fixed seed; scripts/fuzz runs many more cases with any seed.
/// </summary>
[Collection(SerialCollection.Name)]
public class ParserFuzzTests(ITestOutputHelper output)
{
    void Check(FuzzTarget target, int ciCases)
    {
        var report = ParserFuzz.Run(target, ciCases);
        output.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, $"{report}:\n{string.Join("\n\n", report.Findings)}");
        Assert.True(report.Loaded > 0 && report.Refused > 0, $"{report}: the cases should reach both outcomes");
    }

    [Fact]
    public void WavReaderLoadsOrThrowsAudioFormatException()
    {
        var random = new Random(1);
        byte[] Noise(int bytes) => Enumerable.Range(0, bytes).Select(_ => (byte)random.Next(256)).ToArray();
        var quietFloats = Enumerable.Range(0, 50).SelectMany(i => BitConverter.GetBytes(MathF.Sin(i) * 0.5f)).ToArray();
        Check(new FuzzTarget
        {
            Name = "wav",
            Extension = ".wav",
            Valid =
            [
                TestAudio.Wav(1, 1, 24000, 16, Noise(200)),
                TestAudio.Wav(1, 2, 44100, 24, Noise(240)),
                TestAudio.Wav(3, 1, 16000, 32, quietFloats),
                TestAudio.Wav(1, 2, 48000, 16, Noise(200), extensible: true),
                TestAudio.Wav(1, 1, 8000, 8, Noise(101)),
            ],
            // RIFF size, fmt size, format tag, channels, rate, byte rate, block align, bits, data size.
            Fields = [4, 16, 20, 22, 24, 28, 32, 34, 40],
            Documented = typeof(AudioFormatException),
            Load = path =>
            {
                var clip = AudioFile.Read(path);
                Assert.True(clip.SampleRate > 0 && clip.Samples.All(float.IsFinite));
            },
        }, ciCases: 3000);
    }

    [Fact]
    public void CodesReaderLoadsOrThrowsInvalidDataException()
    {
        Check(new FuzzTarget
        {
            Name = "codes",
            Extension = CodesFile.Extension,
            Valid = [CodesFile.ToBytes(CodesFileTests.Sample(0.05, [1024, 5, 65536])), CodesFile.ToBytes(CodesFileTests.Sample(0.0, [2]))],
            // Version, sample rate, length, frame rate, frames, streams, the first widths.
            Fields = [8, 12, 16, 24, 32, 40, 44, 45, 46],
            Checksummed = true,
            Documented = typeof(InvalidDataException),
            Load = path => Assert.NotNull(CodesFile.Load(path)),
        }, ciCases: 3000);
    }

    [Fact]
    public void ModelReaderLoadsOrThrowsInvalidDataException()
    {
        using var folder = new TempFolder();
        var path = folder.File("tiny" + ModelFile.Extension);
        var options = new AutoencoderOptions { EncoderDim = 2, EncoderStrides = [2, 4], LatentDim = 4, DecoderDim = 8, Dilations = [1] };
        using (var model = Autoencoder.Create(options)) ModelFile.Save(path, model, new ModelInfo { Options = options, Config = "fuzz" });
        Check(new FuzzTarget
        {
            Name = "model",
            Extension = ModelFile.Extension,
            Valid = [File.ReadAllBytes(path)],
            // Version and the JSON header's length prefix.
            Fields = [8, 12, 13],
            Checksummed = true,
            EditHeader = FuzzTarget.JsonStringAt(12),
            Documented = typeof(InvalidDataException),
            Load = path => ModelFile.Load(path).Model.Dispose(),
        }, ciCases: 1000);
    }

    /// <summary>An RVQ of 2 × 4 entries and an FSQ on 8-d latents, saved: small valid quantizer files of two kinds.</summary>
    static string[] SmallQuantizers(TempFolder folder)
    {
        var rvqPath = folder.File("rvq" + QuantizerFile.Extension);
        var fsqPath = folder.File("fsq" + QuantizerFile.Extension);
        using var latents = randn(64, 8, generator: new Generator(3));
        var rvq = new ResidualVectorQuantizer(8, new RvqOptions { Codebooks = 2, CodebookSize = 4, KMeans = new KMeansOptions { Iterations = 2 } });
        rvq.Fit(latents);
        rvq.Save(rvqPath);
        var fsq = new FiniteScalarQuantizer(8, new FsqOptions());
        fsq.Fit(latents);
        fsq.Save(fsqPath);
        return [rvqPath, fsqPath];
    }

    [Fact]
    public void QuantizerReaderLoadsOrThrowsInvalidDataException()
    {
        using var folder = new TempFolder();
        Check(new FuzzTarget
        {
            Name = "quantizer",
            Extension = QuantizerFile.Extension,
            Valid = [.. SmallQuantizers(folder).Select(File.ReadAllBytes)],
            Fields = [0, 4],
            EditHeader = FuzzTarget.EditSafetensorsHeader,
            Documented = typeof(InvalidDataException),
            Load = path => Assert.NotNull(QuantizerFile.Load(path)),
        }, ciCases: 2000);
    }

    [Fact]
    public void FirstFormatQuantizerReaderLoadsOrThrowsInvalidDataException()
    {
        using var folder = new TempFolder();
        var legacy = folder.File("legacy" + QuantizerFile.Extension);
        var valid = SmallQuantizers(folder).Select(path =>
        {
            QuantizerFileFormatTests.SaveLegacy(legacy, QuantizerFile.ReadState(path));
            return File.ReadAllBytes(legacy);
        });
        Check(new FuzzTarget
        {
            Name = "quantizer (first format)",
            Extension = QuantizerFile.Extension,
            Valid = [.. valid],
            // Version and the JSON header's length prefix.
            Fields = [8, 12, 13],
            Checksummed = true,
            EditHeader = FuzzTarget.JsonStringAt(12),
            Documented = typeof(InvalidDataException),
            Load = path => Assert.NotNull(QuantizerFile.Load(path)),
        }, ciCases: 2000);
    }

    [Fact]
    public void NpyReaderLoadsOrThrowsInvalidDataException()
    {
        byte[] Npy(Tensor value)
        {
            using var stream = new MemoryStream();
            using (value) NpyFile.Write(stream, value);
            return stream.ToArray();
        }
        Check(new FuzzTarget
        {
            Name = "npy",
            Extension = NpyFile.Extension,
            Valid = [Npy(randn(3, 4)), Npy(arange(5L)), Npy(tensor(2.5))],
            // Version bytes and the header length.
            Fields = [6, 7, 8],
            EditHeader = FuzzTarget.EditNpyHeader,
            Documented = typeof(InvalidDataException),
            Load = path => NpyFile.Load(path).Dispose(),
        }, ciCases: 3000);
    }

    [Fact]
    public void SafetensorsReaderLoadsOrThrowsInvalidDataException()
    {
        using var stream = new MemoryStream();
        using (var frames = randn(4, 3))
        using (var counts = tensor(new long[] { 1, 3 }))
            SafetensorsFile.Write(stream, [new("frames", frames), new("clip_frames", counts)], new Dictionary<string, string> { ["split"] = "train" });
        Check(new FuzzTarget
        {
            Name = "safetensors",
            Extension = SafetensorsFile.Extension,
            Valid = [stream.ToArray()],
            Fields = [0, 4],
            EditHeader = FuzzTarget.EditSafetensorsHeader,
            Documented = typeof(InvalidDataException),
            Load = path =>
            {
                foreach (var value in SafetensorsFile.Load(path).Tensors.Values) value.Dispose();
            },
        }, ciCases: 3000);
    }
}
