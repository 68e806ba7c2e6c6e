using PostRvq.Quantization;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class QuantizationZooTests
{
    static readonly KMeansOptions QuickKMeans = new() { Iterations = 8 };

    static double Mse(IQuantizer quantizer, Tensor frames) => QuantizationRvqTests.Mse(quantizer, frames);

    /// <summary>Frames [n, d] on a rank-r subspace plus a little noise: strongly correlated across all dims.</summary>
    static Tensor LowRank(int n, int d, int rank, int seed)
    {
        var generator = new Generator((ulong)seed);
        var mixing = randn(rank, d, generator: new Generator(99));
        return randn(n, rank, generator: generator).mm(mixing) + 0.05f * randn(n, d, generator: generator);
    }

    [Fact]
    public void Beam_WiderNeverGivesHigherError()
    {
        var train = QuantizationRvqTests.Latents(4000, 8, seed: 1);
        var test = QuantizationRvqTests.Latents(1000, 8, seed: 2);
        var greedy = new ResidualVectorQuantizer(8, new RvqOptions { Codebooks = 4, CodebookSize = 16, KMeans = QuickKMeans });
        greedy.Fit(train);
        using var folder = new TempFolder();
        var path = folder.File("rvq.quantizer");
        greedy.Save(path);
        var state = QuantizerFile.ReadState(path);
        var errors = new[] { 1, 2, 4, 8 }.Select(beam =>
        {
            state.Settings["beamWidth"] = beam;
            return Mse(ResidualVectorQuantizer.FromState(state), test);
        }).ToList();
        Assert.Equal(Mse(greedy, test), errors[0], 6);
        for (var i = 1; i < errors.Count; i++) Assert.True(errors[i] <= errors[i - 1] * (1 + 1e-6), string.Join(", ", errors));
        Assert.True(errors[^1] < errors[0], string.Join(", ", errors));
    }

    [Fact]
    public void Beam_WidthIsSavedAndOldFilesEncodeGreedily()
    {
        using var folder = new TempFolder();
        var rvq = new ResidualVectorQuantizer(8, new RvqOptions { Codebooks = 2, CodebookSize = 16, KMeans = QuickKMeans, BeamWidth = 4 });
        rvq.Fit(QuantizationRvqTests.Latents(1000, 8, seed: 3));
        Assert.Equal(QuantizerKinds.RvqBeam, rvq.Kind);
        var path = folder.File("beam.quantizer");
        rvq.Save(path);
        Assert.Equal(4, ((ResidualVectorQuantizer)QuantizerFile.Load(path)).Options.BeamWidth);
        var state = QuantizerFile.ReadState(path);
        state.Settings.Remove("beamWidth");
        Assert.Equal(1, ResidualVectorQuantizer.FromState(state).Options.BeamWidth);
    }

    [Fact]
    public void StandardizedRvq_EncodesWithItsInnerBeam()
    {
        var train = QuantizationRvqTests.Latents(3000, 8, seed: 4);
        var options = new RvqOptions { Codebooks = 3, CodebookSize = 16, KMeans = QuickKMeans };
        var greedy = new StandardizedRvq(8, options);
        var beam = new StandardizedRvq(8, options with { BeamWidth = 8 });
        greedy.Fit(train);
        beam.Fit(train);
        Assert.True(greedy.Inner.StageCodebooks[0].eq(beam.Inner.StageCodebooks[0]).all().item<bool>());
        var test = QuantizationRvqTests.Latents(1000, 8, seed: 5);
        Assert.True(Mse(beam, test) < Mse(greedy, test), $"beam {Mse(beam, test)} vs greedy {Mse(greedy, test)}");
    }

    [Fact]
    public void Rvq_BeatsPqAtEqualBitsOnCorrelatedLatents()
    {
        var train = LowRank(4000, 16, rank: 4, seed: 1);
        var test = LowRank(1000, 16, rank: 4, seed: 2);
        var rvq = new ResidualVectorQuantizer(16, new RvqOptions { Codebooks = 2, CodebookSize = 32, KMeans = QuickKMeans });
        var pq = new ProductQuantizer(16, new PqOptions { Groups = 2, CodebookSize = 32, KMeans = QuickKMeans });
        rvq.Fit(train);
        pq.Fit(train);
        Assert.Equal(rvq.BitsPerFrame, pq.BitsPerFrame);
        Assert.True(Mse(rvq, test) < Mse(pq, test), $"rvq {Mse(rvq, test)} vs pq {Mse(pq, test)}");
    }

    [Fact]
    public void Pq_SplitsUnevenDimensionsIntoNearEqualGroups()
    {
        var pq = new ProductQuantizer(10, new PqOptions { Groups = 4, CodebookSize = 16, KMeans = QuickKMeans });
        Assert.Equal([3, 3, 2, 2], pq.GroupWidths);
        pq.Fit(QuantizationRvqTests.Latents(500, 10, seed: 1));
        Assert.Equal([16L, 2L], pq.GroupCodebooks[2].shape);
    }

    [Fact]
    public void LloydMax_BeatsUniformOnGaussianLatentsAtEqualBits()
    {
        var generator = new Generator(7);
        var train = randn(5000, 8, generator: generator);
        var test = randn(2000, 8, generator: generator);
        var uniform = new UniformScalarQuantizer(8, new ScalarOptions { Bits = 16 });
        var lloydMax = new LloydMaxQuantizer(8, new LloydMaxOptions { Bits = 16 });
        uniform.Fit(train);
        lloydMax.Fit(train);
        Assert.Equal(uniform.BitsPerFrame, lloydMax.BitsPerFrame);
        Assert.True(Mse(lloydMax, test) < Mse(uniform, test), $"lloydmax {Mse(lloydMax, test)} vs uniform {Mse(uniform, test)}");
    }

    [Fact]
    public void LloydMax_FindsMaxsTwoLevelGaussianQuantizer()
    {
        // Max (1960): the 1-bit optimum for a unit Gaussian reconstructs at ±sqrt(2/π) ≈ ±0.798.
        var train = randn(50000, 1, generator: new Generator(1));
        var quantizer = new LloydMaxQuantizer(1, new LloydMaxOptions { Bits = 1 });
        quantizer.Fit(train);
        var levels = quantizer.Levels!.data<float>().ToArray();
        Assert.Equal(-Math.Sqrt(2 / Math.PI), levels[0], 1);
        Assert.Equal(Math.Sqrt(2 / Math.PI), levels[1], 1);
    }

    [Fact]
    public void Scalar_AllocatesBitsByVarianceAndCodesEachDimensionAsAStream()
    {
        var scales = new[] { 8f, 4f, 1f, 0.001f };
        var train = randn(3000, 4, generator: new Generator(2)) * tensor(scales);
        var quantizer = new UniformScalarQuantizer(4, new ScalarOptions { Bits = 6 });
        Assert.Equal([4L, 4L, 2L, 2L], quantizer.CodebookSizes);
        quantizer.Fit(train);
        // ½·log2(σ²/θ) with water level θ = 1 gives 3, 2, 0, 0 bits; the sixth bit goes to the widest dimension.
        Assert.Equal([4, 2, 0, 0], quantizer.BitsPerDimension);
        Assert.Equal([16L, 4L, 1L, 1L], quantizer.CodebookSizes);
        Assert.Equal(6, quantizer.BitsPerFrame, 9);
    }

    [Fact]
    public void BitAllocation_IsReverseWaterFilling()
    {
        // Variances 16, 1, 1/16: each 4x in variance is worth one bit; the smallest sits below the water level.
        Assert.Equal([3, 1, 0], BitAllocation.Allocate([16, 1, 1.0 / 16], 4, 12));
        Assert.Equal([2, 2, 2], BitAllocation.Allocate([16, 1, 1.0 / 16], 6, 2));
    }

    [Fact]
    public void Fsq_SpendsTheBudgetWithThePapersLevelSets()
    {
        var (levels, groupSize) = FsqLevels.ForBudget(components: 64, bitsBudget: 40);
        Assert.True(FsqLevels.Bits(levels) <= 40);
        Assert.True(FsqLevels.Bits(levels) > 38, $"{FsqLevels.Bits(levels)} bits");
        Assert.Contains(FsqLevels.Recommended, set => set.Length == groupSize && levels.Take(groupSize).SequenceEqual(set));
        var fsq = new FiniteScalarQuantizer(8, FsqOptions.ForBudget(8, 1000));
        Assert.Equal(8, fsq.Options.Levels.Length);
        Assert.Equal([8, 6, 5], FsqLevels.ForCodebookSize(256));
        Assert.Equal([8, 5, 5, 5], FsqLevels.ForCodebookSize(1024));
        Assert.Equal([8], FsqLevels.ForCodebookSize(32));
    }

    [Theory]
    [InlineData(FsqBound.GaussianCdf, WhiteningKind.Pca)]
    [InlineData(FsqBound.Tanh, WhiteningKind.Standardize)]
    public void Fsq_PacksLevelsIntoMixedRadixCodes(FsqBound bound, WhiteningKind whitening)
    {
        var train = QuantizationRvqTests.Latents(3000, 8, seed: 1);
        var fsq = new FiniteScalarQuantizer(8, new FsqOptions { Levels = [8, 5, 5, 5, 8, 6, 5], GroupSize = 4, Bound = bound, Whitening = whitening });
        Assert.Equal([1000L, 240L], fsq.CodebookSizes);
        fsq.Fit(train);
        var output = fsq.QuantizeFrames(train);
        // Every one of the 1000 cells of the first stream is reachable on 3000 Gaussian frames, or nearly so.
        Assert.True(output.Codes.select(1, 0).unique().Item1.shape[0] > 500);
        Assert.True(Mse(fsq, train) < 0.3 * train.square().mean().item<float>());
    }

    [Fact]
    public void Rfsq_MoreStagesGiveLowerError()
    {
        var train = QuantizationRvqTests.Latents(4000, 8, seed: 1);
        var test = QuantizationRvqTests.Latents(1000, 8, seed: 2);
        var rfsq = new ResidualFsq(8, new RfsqOptions { Stages = 4, Levels = [8, 5, 5, 5] });
        rfsq.Fit(train);
        var errors = Enumerable.Range(1, 4).Select(n => Mse(rfsq.Truncate(n), test)).ToList();
        for (var n = 1; n < errors.Count; n++) Assert.True(errors[n] < errors[n - 1], string.Join(", ", errors));
        Assert.Equal(errors[^1], Mse(rfsq, test), 5);
    }

    [Fact]
    public void StageStandardizedRvq_MoreStagesGiveLowerError()
    {
        var scales = Enumerable.Range(0, 8).Select(i => MathF.Pow(10, 1f - i / 4f)).ToArray();
        var train = QuantizationRvqTests.Latents(4000, 8, seed: 1, scales);
        var test = QuantizationRvqTests.Latents(1000, 8, seed: 2, scales);
        var srvq = new StageStandardizedRvq(8, new RvqOptions { Codebooks = 4, CodebookSize = 32, KMeans = QuickKMeans });
        srvq.Fit(train);
        var errors = Enumerable.Range(1, 4).Select(n => Mse(srvq.Truncate(n), test)).ToList();
        for (var n = 1; n < errors.Count; n++) Assert.True(errors[n] < errors[n - 1], string.Join(", ", errors));
        Assert.Equal(errors[^1], Mse(srvq, test), 5);
        Assert.Equal(4, srvq.Stages.Select(s => s.Standardization.Std[0].item<float>()).Distinct().Count());
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(6.0)]
    [InlineData(24.0)]
    public void Zoo_EveryMethodStaysWithinTheBudgetAndCloseToIt(double kbps)
    {
        var request = new QuantizerRequest(Dimension: 64, TargetKbps: kbps, FrameRate: 75);
        foreach (var method in QuantizerZoo.All.Where(m => m.Kind is not ("vq" or "fsq") && !m.Kind.StartsWith("test-")))
        {
            var quantizer = method.Create(request);
            Assert.True(quantizer.BitsPerFrame <= request.BitsPerFrameBudget + 1e-9, $"{method.Kind}: {quantizer.BitsPerFrame} bits > {request.BitsPerFrameBudget}");
            Assert.True(quantizer.BitsPerFrame > request.BitsPerFrameBudget - 11, $"{method.Kind}: only {quantizer.BitsPerFrame} of {request.BitsPerFrameBudget} bits");
        }
        Assert.Equal(12, QuantizerZoo.Create("vq", request).BitsPerFrame, 9);
        Assert.True(QuantizerZoo.Create("fsq", request).BitsPerFrame <= request.BitsPerFrameBudget);
        Assert.Equal(1024L, QuantizerZoo.Create("pq", request).CodebookSizes[0]);
    }
}
