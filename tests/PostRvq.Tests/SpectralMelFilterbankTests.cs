using PostRvq.Metrics;
using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class SpectralMelFilterbankTests
{
    [Fact]
    public void ShapeIsMelsByOneSidedBins()
    {
        foreach (var (window, mels) in MelDistance.Scales)
        {
            using var filterbank = MelFilterbank.Create(24000, window, mels);
            Assert.Equal(new long[] { mels, window / 2 + 1 }, filterbank.shape);
        }
    }

    [Fact]
    public void WeightsAreNonNegativeAndAtMostOne()
    {
        using var filterbank = MelFilterbank.Create(44100, 2048, 320, ScalarType.Float64);
        Assert.True(filterbank.min().item<double>() >= 0.0);
        Assert.True(filterbank.max().item<double>() <= 1.0);
    }

    [Fact]
    public void TrianglesPeakAtOneOnTheirCentreEdgeAndVanishOutsideTheirEdges()
    {
        // sr = 21000 puts the HTK edges of 3 filters at 700·(2^j − 1) Hz = 0, 700, 2100, 4900, 10500,
        // and nFft = 30 puts bins every 700 Hz, so every edge falls exactly on a bin: 0, 1, 3, 7, 15.
        int[] edgeBins = [0, 1, 3, 7, 15];
        using var filterbank = MelFilterbank.Create(21000, 30, 3, ScalarType.Float64);
        var weights = filterbank.data<double>().ToArray();
        for (var i = 0; i < 3; i++)
        {
            for (var k = 0; k < 16; k++)
            {
                var w = weights[i * 16 + k];
                if (k == edgeBins[i + 1])
                    Assert.Equal(1.0, w, 9);
                else if (k <= edgeBins[i] || k >= edgeBins[i + 2])
                    Assert.True(w < 1e-9, $"filter {i} bin {k} = {w}");
                else
                    Assert.InRange(w, 1e-9, 1.0);
            }
        }
    }

    [Fact]
    public void RisingSlopeIsLinearInHertz()
    {
        using var filterbank = MelFilterbank.Create(21000, 30, 3, ScalarType.Float64);
        // Filter 2 rises from 2100 Hz (bin 3) to 4900 Hz (bin 7): bin 5 (3500 Hz) is halfway.
        Assert.Equal(0.5, filterbank[2, 5].item<double>(), 9);
    }

    [Fact]
    public void RepeatedCreationGivesEqualIndependentTensors()
    {
        var first = MelFilterbank.Create(24000, 512, 80);
        using var second = MelFilterbank.Create(24000, 512, 80);
        using var expected = second.clone();
        first.Dispose();
        Assert.True(second.eq(expected).all().item<bool>());
    }

    [Fact]
    public void HtkMelScaleRoundTrips()
    {
        Assert.Equal(1000.0, MelFilterbank.HzToMel(1000.0), 0);
        Assert.Equal(440.0, MelFilterbank.MelToHz(MelFilterbank.HzToMel(440.0)), 9);
    }
}
