using System.Text.Json.Nodes;
using PostRvq.Quantization;
using static TorchSharp.torch;

namespace PostRvq.Tests;

/// <summary>The quantizer contract of docs/architecture.md, checked for every method in the zoo and for a researcher's own quantizer.</summary>
public class QuantizationContractTests
{
    const double FrameRate = 75;

    /// <summary>8 bits per frame at 75 Hz: two 16-entry RVQ stages or one 256-entry VQ, so every family fits quickly.</summary>
    static readonly QuantizerRequest Request = new(Dimension: 8, TargetKbps: 0.6, FrameRate, Seed: 3)
    {
        CodebookSize = 16,
        KMeans = new KMeansOptions { Iterations = 5 },
    };

    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var method in QuantizerZoo.All) data.Add(method.Kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void ZooMethod_KeepsTheContract(string method) => AssertContract(() => QuantizerZoo.Create(method, Request));

    [Fact]
    public void ResearchersQuantizer_JoinsTheZooAndKeepsTheContract()
    {
        QuantizerFile.Register(SignQuantizer.SignKind, SignQuantizer.FromState);
        QuantizerZoo.Register(new QuantizerMethod(SignQuantizer.SignKind, "1 bit per dim around the mean", r => new SignQuantizer(r.Dimension)));
        Assert.Contains(QuantizerZoo.All, m => m.Kind == SignQuantizer.SignKind);
        AssertContract(() => QuantizerZoo.Create(SignQuantizer.SignKind, Request));
    }

    static void AssertContract(Func<IQuantizer> create)
    {
        var train = QuantizationRvqTests.Latents(3000, Request.Dimension, seed: 11);
        var z = QuantizationRvqTests.Latents(2 * 50, Request.Dimension, seed: 12).view(2, 50, Request.Dimension).permute(0, 2, 1);

        var quantizer = create();
        Assert.False(quantizer.IsFitted);
        Assert.Equal(Request.Dimension, quantizer.Dimension);
        Assert.Equal(quantizer.Codebooks, quantizer.CodebookSizes.Count);
        Assert.Equal(quantizer.CodebookSizes.Sum(size => Math.Log2(size)), quantizer.BitsPerFrame, 9);
        Assert.Equal(quantizer.BitsPerFrame * FrameRate / 1000, quantizer.Kbps(FrameRate), 12);
        Assert.True(quantizer.Kbps(FrameRate) <= Request.TargetKbps + 1e-9, $"{quantizer.Kind}: {quantizer.Kbps(FrameRate)} kbps > {Request.TargetKbps}");
        quantizer.Fit(train);
        Assert.True(quantizer.IsFitted);

        var codes = quantizer.Encode(z);
        Assert.Equal(ScalarType.Int64, codes.dtype);
        Assert.Equal([2L, (long)quantizer.Codebooks, 50L], codes.shape);
        var sizes = tensor(quantizer.CodebookSizes.ToArray()).view(1, -1, 1);
        Assert.True((codes >= 0).all().item<bool>() && (codes < sizes).all().item<bool>(), $"{quantizer.Kind}: codes out of range");

        var output = quantizer.Quantize(z);
        Assert.Equal(z.shape, output.Quantized.shape);
        Assert.True(quantizer.Decode(codes).eq(output.Quantized).all().item<bool>(), $"{quantizer.Kind}: Decode(Encode(z)) != Quantize(z)");
        Assert.True(codes.eq(output.Codes).all().item<bool>());
        Assert.True(output.Quantized.isfinite().all().item<bool>());
        // A quantizer must do better than coding every frame as zero.
        Assert.True((output.Quantized - z).square().mean().item<float>() < z.square().mean().item<float>(), $"{quantizer.Kind} is worse than zero");

        var again = create();
        again.Fit(train);
        Assert.True(again.Quantize(z).Quantized.eq(output.Quantized).all().item<bool>(), $"{quantizer.Kind}: the same seed gave a different fit");

        using var folder = new TempFolder();
        var path = folder.File("q" + QuantizerFile.Extension);
        quantizer.Save(path);
        var loaded = QuantizerFile.Load(path);
        Assert.Equal(quantizer.GetType(), loaded.GetType());
        Assert.Equal(quantizer.Kind, loaded.Kind);
        Assert.Equal(quantizer.CodebookSizes, loaded.CodebookSizes);
        Assert.True(loaded.Encode(z).eq(codes).all().item<bool>(), $"{quantizer.Kind}: loaded codes differ");
        Assert.True(loaded.Decode(codes).eq(output.Quantized).all().item<bool>(), $"{quantizer.Kind}: loaded decode differs");

        var bytes = File.ReadAllBytes(path);
        var corrupt = folder.File("corrupt" + QuantizerFile.Extension);
        var flipped = (byte[])bytes.Clone();
        flipped[flipped.Length / 2] ^= 0xFF;
        File.WriteAllBytes(corrupt, flipped);
        Assert.Contains(corrupt, Assert.Throws<InvalidDataException>(() => QuantizerFile.Load(corrupt)).Message);
        var truncated = folder.File("truncated" + QuantizerFile.Extension);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains(truncated, Assert.Throws<InvalidDataException>(() => QuantizerFile.Load(truncated)).Message);
    }

    /// <summary>
    /// What a researcher writes in a notebook cell: 1 bit per dimension, coding which side of the fit-set mean a
    /// value lies on and decoding to the mean of that side.
    /// </summary>
    sealed class SignQuantizer(int dimension) : FrameQuantizer(dimension)
    {
        public const string SignKind = "test-sign";
        Tensor? low;
        Tensor? high;

        public override string Kind => SignKind;
        public override int Codebooks => Dimension;
        public override IReadOnlyList<long> CodebookSizes => Enumerable.Repeat(2L, Dimension).ToArray();
        public override bool IsFitted => low is not null && high is not null;

        protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
        {
            var above = frames >= frames.mean([0]);
            high = (where(above, frames, zeros_like(frames)).sum(0) / above.sum(0).clamp_min(1)).DetachFromDisposeScope();
            low = (where(above, zeros_like(frames), frames).sum(0) / (~above).sum(0).clamp_min(1)).DetachFromDisposeScope();
        }

        // The midpoint between the two reconstructions is the nearest-level decision threshold.
        protected internal override Tensor EncodeFrames(Tensor frames) => (frames >= (low! + high!) / 2).to_type(ScalarType.Int64);

        protected internal override Tensor DecodeFrames(Tensor codes) => where(codes == 1, high!, low!);

        protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe() =>
            (new JsonObject(), new Dictionary<string, Tensor> { ["low"] = low!, ["high"] = high! });

        public static SignQuantizer FromState(QuantizerState state) => new(state.Dimension) { low = state.Tensor("low"), high = state.Tensor("high") };
    }
}
