using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace PostRvq.Spectral;

/// <summary>
/// Triangular mel filters as docs/metrics.md defines them: HTK mel scale mel(f) = 2595·log10(1 + f/700),
/// nMels + 2 edges equally spaced in mel from 0 Hz to sr/2, filter i rising from edge i to edge i+1 and
/// falling to edge i+2, evaluated at the bin frequencies k·sr/nFft, with no area normalisation.
/// </summary>
public static class MelFilterbank
{
    // Weights are cached as managed arrays, so the cache holds no native memory and no tensor a caller could dispose.
    static readonly ConcurrentDictionary<(int SampleRate, int NFft, int NMels), double[]> Cache = new();

    /// <summary>
    /// A new [nMels, nFft/2 + 1] filterbank tensor on <paramref name="device"/> (CPU by default); the caller owns it.
    /// </summary>
    public static Tensor Create(int sampleRate, int nFft, int nMels, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (sampleRate < 1) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "Sample rate must be positive.");
        if (nFft < 2) throw new ArgumentOutOfRangeException(nameof(nFft), nFft, "nFft must be at least 2.");
        if (nMels < 1) throw new ArgumentOutOfRangeException(nameof(nMels), nMels, "nMels must be positive.");
        var weights = Cache.GetOrAdd((sampleRate, nFft, nMels), key => Weights(key.SampleRate, key.NFft, key.NMels));
        using var scope = NewDisposeScope();
        return tensor(weights, [nMels, nFft / 2 + 1]).to(dtype, device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>HTK mel of a frequency in Hz.</summary>
    public static double HzToMel(double hz) => 2595.0 * Math.Log10(1.0 + hz / 700.0);

    /// <summary>Frequency in Hz of an HTK mel value.</summary>
    public static double MelToHz(double mel) => 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0);

    static double[] Weights(int sampleRate, int nFft, int nMels)
    {
        var bins = nFft / 2 + 1;
        var topMel = HzToMel(sampleRate / 2.0);
        var edges = Enumerable.Range(0, nMels + 2).Select(j => MelToHz(topMel * j / (nMels + 1))).ToArray();
        var weights = new double[nMels * bins];
        for (var i = 0; i < nMels; i++)
        {
            for (var k = 0; k < bins; k++)
            {
                var hz = (double)k * sampleRate / nFft;
                var rising = (hz - edges[i]) / (edges[i + 1] - edges[i]);
                var falling = (edges[i + 2] - hz) / (edges[i + 2] - edges[i + 1]);
                weights[i * bins + k] = Math.Max(0.0, Math.Min(rising, falling));
            }
        }
        return weights;
    }
}
