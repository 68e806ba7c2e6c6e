using PostRvq.Quantization;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class QuantizationRvqTests
{
    static readonly KMeansOptions QuickKMeans = new() { Iterations = 8 };

    /// <summary>Correlated Gaussian frames [n, d] whose dimension i has scale scales[i].</summary>
    internal static Tensor Latents(int n, int d, int seed, float[]? scales = null)
    {
        var generator = new Generator((ulong)seed);
        var mixing = randn(d, d, generator: generator) / MathF.Sqrt(d);
        var frames = randn(n, d, generator: generator).mm(mixing + eye(d));
        return scales is null ? frames : frames * tensor(scales);
    }

    internal static double Mse(IQuantizer quantizer, Tensor frames) =>
        (quantizer.QuantizeFrames(frames).Quantized - frames).square().mean().item<float>();

    [Fact]
    public void KMeans_FindsWellSeparatedClusters()
    {
        var generator = new Generator(3);
        var centres = randn(8, 4, generator: generator) * 20;
        var points = centres.repeat(200, 1) + 0.1f * randn(1600, 4, generator: generator);
        var fit = KMeans.Fit(points, new KMeansOptions { Clusters = 8, Seed = 1 });
        Assert.True(fit.MeanSquaredError < 0.1, $"MSE {fit.MeanSquaredError}");
    }

    [Fact]
    public void KMeans_RefusesFewerPointsThanClusters()
    {
        var error = Assert.Throws<ArgumentException>(() => KMeans.Fit(randn(10, 3), new KMeansOptions { Clusters = 16 }));
        Assert.Contains("at least 16 points", error.Message);
    }

    [Fact]
    public void KMeans_LloydIterationsLowerTheErrorUntilConvergence()
    {
        var points = Latents(4000, 8, seed: 6);
        var one = KMeans.Fit(points, new KMeansOptions { Clusters = 64, Iterations = 1 });
        var many = KMeans.Fit(points, new KMeansOptions { Clusters = 64, Iterations = 25 });
        Assert.Equal(1, one.Iterations);
        Assert.True(many.Iterations > 5, $"stopped after {many.Iterations} iterations");
        Assert.True(many.MeanSquaredError < 0.95 * one.MeanSquaredError, $"25 iterations: MSE {many.MeanSquaredError}, 1: {one.MeanSquaredError}");
    }

    [Fact]
    public void KMeans_HistoryFallsAndEveryRvqFamilyRecordsEachStagesConvergence()
    {
        var points = Latents(4000, 8, seed: 6);
        var fit = KMeans.Fit(points, new KMeansOptions { Clusters = 64, Iterations = 25 });
        Assert.Equal(fit.Iterations + 1, fit.MseHistory.Count);
        Assert.Equal(fit.MeanSquaredError, fit.MseHistory[^1], 6);
        for (var i = 1; i < fit.MseHistory.Count; i++) Assert.True(fit.MseHistory[i] <= fit.MseHistory[i - 1] * (1 + 1e-6), $"MSE rose at iteration {i}");
        Assert.InRange(fit.LastGain, 0, 0.01);

        var options = new RvqOptions { Codebooks = 3, CodebookSize = 16, KMeans = new KMeansOptions { Iterations = 25 } };
        foreach (var quantizer in new FrameQuantizer[] { new ResidualVectorQuantizer(8, options), new StandardizedRvq(8, options), new StageStandardizedRvq(8, options) })
        {
            quantizer.Fit(points);
            var gains = KMeansConvergence.LastGains(quantizer.Provenance[KMeansConvergence.Key]);
            Assert.Equal(3, gains.Count);
            Assert.All(gains, gain => Assert.InRange(gain, 0, 0.01));
        }
    }

    [Fact]
    public void AZeroEntryKeepsSilentFramesExactAndNeverLetsAStageAddError()
    {
        // A tenth of the frames are digital silence, as in game sounds that end in zeros.
        var sound = Latents(5400, 8, seed: 9);
        var frames = cat([sound, zeros(600, 8)], 0);
        var held = cat([Latents(900, 8, seed: 10), zeros(100, 8)], 0);
        var plainOptions = new RvqOptions { Codebooks = 6, CodebookSize = 32, KMeans = new KMeansOptions { Iterations = 10 } };
        var zeroOptions = plainOptions with { KMeans = plainOptions.KMeans with { KeepZeroCentroid = true } };
        foreach (var (plain, withZero) in new (FrameQuantizer, FrameQuantizer)[]
        {
            (new ResidualVectorQuantizer(8, plainOptions), new ResidualVectorQuantizer(8, zeroOptions)),
            (new StandardizedRvq(8, plainOptions), new StandardizedRvq(8, zeroOptions)),
            (new StageStandardizedRvq(8, plainOptions), new StageStandardizedRvq(8, zeroOptions)),
        })
        {
            plain.Fit(frames);
            withZero.Fit(frames);
            Assert.Equal(RvqOptions.ZeroEntryNote, withZero.Provenance[RvqOptions.ZeroEntryKey]);
            Assert.False(plain.Provenance.ContainsKey(RvqOptions.ZeroEntryKey));
            var silent = held.narrow(0, 900, 100);
            double SilentError(IQuantizer q) => q.QuantizeFrames(silent).Quantized.square().sum(1).max().item<float>();
            // Every later stage of the plain RVQ adds its entry nearest to zero; with a zero entry they add nothing.
            Assert.True(SilentError(withZero) < 1e-3 * SilentError(plain), $"{plain.Kind}: silent frames {SilentError(withZero)} vs {SilentError(plain)}");
            // On each held-out frame, plain RVQ's error after every stage is at most the error after the one before
            // (the standardized variants guarantee it in their own metric, not in the raw one).
            var truncatable = (ITruncatableQuantizer)withZero;
            var previous = held.square().sum(1) + 1e-6;
            for (var depth = 1; depth <= 6; depth++)
            {
                var error = (truncatable.Truncate(depth).QuantizeFrames(held).Quantized - held).square().sum(1);
                if (withZero is ResidualVectorQuantizer)
                    Assert.True((error <= previous * (1 + 1e-4) + 1e-6).all().item<bool>(), $"{withZero.Kind}: a frame's error grew at stage {depth}");
                previous = error;
            }
        }
        var fit = KMeans.Fit(frames, new KMeansOptions { Clusters = 16, Iterations = 5, KeepZeroCentroid = true });
        Assert.Equal(0, fit.Centroids[0].abs().max().item<float>());
        var kept = ones(8);
        var shifted = KMeans.Fit(frames, new KMeansOptions { Clusters = 16, Iterations = 5, KeepZeroCentroid = true }, keptCentroid: kept);
        Assert.Equal(0, (shifted.Centroids[0] - kept).abs().max().item<float>(), 6);
    }

    [Fact]
    public void GainShapeGivesQuietFramesTheRelativePrecisionOfLoudOnes()
    {
        // Frames whose level spans 80 dB, as latents that follow a signal's level do, plus some digital silence.
        static Tensor Levelled(int n, int seed)
        {
            var generator = new Generator((ulong)seed + 100);
            var levels = pow(10, rand(n, 1, generator: generator) * 8 - 6);
            return cat([Latents(n, 8, seed) * levels, zeros(n / 10, 8)], 0);
        }
        var train = Levelled(6000, 21);
        var held = Levelled(1000, 22);
        var options = new RvqOptions { Codebooks = 4, CodebookSize = 32, KMeans = new KMeansOptions { Iterations = 10 } };
        var gainShape = new GainShapeSrvq(8, options);
        var standardized = new StandardizedRvq(8, options);
        gainShape.Fit(train);
        standardized.Fit(train);
        Assert.Equal(standardized.BitsPerFrame, gainShape.BitsPerFrame);
        var sound = held.narrow(0, 0, 1000);
        double MedianRelativeError(IQuantizer q) =>
            ((q.QuantizeFrames(sound).Quantized - sound).square().sum(1) / sound.square().sum(1)).median().item<float>();
        Assert.True(MedianRelativeError(gainShape) < 0.2 * MedianRelativeError(standardized),
            $"gain–shape {MedianRelativeError(gainShape)} vs srvq {MedianRelativeError(standardized)}");
        var silent = gainShape.QuantizeFrames(held.narrow(0, 1000, 100)).Quantized;
        Assert.True(silent.abs().max().item<float>() < 1e-6, $"silence decodes to {silent.abs().max().item<float>()}");
        // Truncation keeps the gain stream and drops shape stages from the end: each stage cuts the error.
        var errors = Enumerable.Range(1, 4).Select(depth => Mse(gainShape.Truncate(depth), sound)).ToList();
        for (var i = 1; i < errors.Count; i++) Assert.True(errors[i] < errors[i - 1], $"{i + 1} streams: {errors[i]} vs {errors[i - 1]}");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    [InlineData(1 << 16)]
    public void NearestCode_ChunksBoundTheDistanceBuffer(long codebookSize)
    {
        var rows = NearestCode.ChunkFor(codebookSize);
        Assert.InRange(rows, 64, 65536);
        Assert.True(rows * codebookSize <= NearestCode.BufferElements || rows == 64, $"{rows} rows × {codebookSize} codes");
    }

    [Fact]
    public void NearestCode_GivesTheSameAnswerInAnyChunking()
    {
        var points = Latents(1000, 8, seed: 7);
        var codebook = Latents(50, 8, seed: 8);
        var whole = NearestCode.Search(points, codebook, chunk: 1000);
        var pieces = NearestCode.Search(points, codebook, chunk: 7);
        Assert.True(whole.Indices.eq(pieces.Indices).all().item<bool>());
        Assert.True(whole.SquaredDistances.allclose(pieces.SquaredDistances));
        Assert.Throws<ArgumentOutOfRangeException>(() => NearestCode.Search(points, codebook, chunk: 0));
    }

    [Fact]
    public void KMeans_MiniBatchApproachesFullLloyd()
    {
        var points = Latents(4000, 8, seed: 5);
        var full = KMeans.Fit(points, new KMeansOptions { Clusters = 32, Iterations = 15 });
        var mini = KMeans.Fit(points, new KMeansOptions { Clusters = 32, Iterations = 5, MiniBatchSize = 256 });
        Assert.True(mini.MeanSquaredError < full.MeanSquaredError * 1.15, $"mini {mini.MeanSquaredError} vs full {full.MeanSquaredError}");
    }

    [Fact]
    public void Rvq_MoreStagesGiveLowerError()
    {
        var train = Latents(6000, 16, seed: 1);
        var test = Latents(2000, 16, seed: 2);
        var rvq = new ResidualVectorQuantizer(16, new RvqOptions { Codebooks = 4, CodebookSize = 64, KMeans = QuickKMeans });
        rvq.Fit(train);
        var errors = Enumerable.Range(1, 4).Select(n => Mse(rvq.Truncate(n), test)).ToList();
        for (var n = 1; n < errors.Count; n++) Assert.True(errors[n] < errors[n - 1], string.Join(", ", errors));
        Assert.Equal(errors[^1], Mse(rvq, test), 5);
    }

    [Fact]
    public void StandardizedRvq_BeatsPlainRvqOnAnisotropicLatents()
    {
        var scales = Enumerable.Range(0, 16).Select(i => MathF.Pow(10, 2f - i / 5f)).ToArray();
        var train = Latents(6000, 16, seed: 1, scales);
        var test = Latents(2000, 16, seed: 2, scales);
        var options = new RvqOptions { Codebooks = 3, CodebookSize = 64, KMeans = QuickKMeans };
        var plain = new ResidualVectorQuantizer(16, options);
        var standardized = new StandardizedRvq(16, options);
        plain.Fit(train);
        standardized.Fit(train);
        // The paper's claim in its own terms: error relative to each dimension's spread, averaged over dimensions.
        var spread = test.var(0, unbiased: false);
        double Normalized(IQuantizer q) => ((q.QuantizeFrames(test).Quantized - test).square().mean([0]) / spread).mean().item<float>();
        Assert.True(Normalized(standardized) < Normalized(plain), $"srvq {Normalized(standardized)} vs rvq {Normalized(plain)}");
    }

    [Fact]
    public void Fit_IsReproducibleForAFixedSeed()
    {
        var train = Latents(3000, 8, seed: 4);
        var options = new RvqOptions { Codebooks = 2, CodebookSize = 32, KMeans = QuickKMeans, Seed = 7 };
        var a = new ResidualVectorQuantizer(8, options);
        var b = new ResidualVectorQuantizer(8, options);
        a.Fit(train);
        b.Fit(train);
        for (var s = 0; s < 2; s++) Assert.True(a.StageCodebooks[s].eq(b.StageCodebooks[s]).all().item<bool>());
    }

    [Fact]
    public void SaveLoad_RoundTripsAndKeepsCodes()
    {
        using var folder = new TempFolder();
        var train = Latents(3000, 8, seed: 4);
        var srvq = new StandardizedRvq(8, new RvqOptions { Codebooks = 3, CodebookSize = 32, KMeans = QuickKMeans });
        srvq.Fit(train);
        var path = folder.File("q" + QuantizerFile.Extension);
        srvq.Save(path);
        var loaded = QuantizerFile.Load(path);
        Assert.IsType<StandardizedRvq>(loaded);
        var z = train.narrow(0, 0, 100).t().unsqueeze(0);
        Assert.True(srvq.Encode(z).eq(loaded.Encode(z)).all().item<bool>());
    }

    [Fact]
    public void Load_RejectsCorruptFiles()
    {
        using var folder = new TempFolder();
        var rvq = new ResidualVectorQuantizer(8, new RvqOptions { Codebooks = 1, CodebookSize = 16, KMeans = QuickKMeans });
        rvq.Fit(Latents(500, 8, seed: 1));
        var path = folder.File("q.quantizer");
        rvq.Save(path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => QuantizerFile.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("corrupt", error.Message);
    }
}
