using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Implements Lloyd 1982, "Least Squares Quantization in PCM", and Max 1960, "Quantizing for Minimum Distortion".
/// Per dimension, the minimum-MSE 1-D quantizer with 2^bits[d] levels for the fit-set distribution: starting from
/// equiprobable quantiles, thresholds move to midpoints between levels and levels to the mean of their cell until
/// the levels settle. All dimensions iterate together on padded [D, L] tables. It finds a local optimum only, and
/// the bit allocation is the same variance-based one as <see cref="UniformScalarQuantizer"/>.
/// </summary>
public sealed class LloydMaxQuantizer : ScalarLevelQuantizer
{
    public LloydMaxQuantizer(int dimension, LloydMaxOptions options) : base(dimension, options.Bits, options.MaxBitsPerDimension)
    {
        options.Validate();
        Options = options;
    }

    public LloydMaxOptions Options { get; }
    public override string Kind => QuantizerKinds.LloydMax;

    protected override Tensor FitLevels(Tensor sortedColumns, Tensor padIndex)
    {
        var count = sortedColumns.shape[1];
        var counts = padIndex.max(1, keepdim: true).values + 1;
        var initial = ((padIndex.to_type(ScalarType.Float64) + 0.5) / counts.to_type(ScalarType.Float64) * count).floor().to_type(ScalarType.Int64);
        var levels = sortedColumns.gather(1, initial.clamp(0, count - 1));
        for (var iteration = 0; iteration < Options.Iterations; iteration++)
        {
            using var step = NewDisposeScope();
            var cells = searchsorted(Thresholds(levels, padIndex), sortedColumns);
            var sums = zeros_like(levels).scatter_add_(1, cells, sortedColumns);
            var members = zeros_like(levels).scatter_add_(1, cells, ones_like(sortedColumns));
            // An empty cell keeps its level; the padding slots then copy each dimension's last level again.
            var updated = where(members > 0, sums / members.clamp_min(1), levels).gather(1, padIndex);
            var moved = (updated - levels).abs().max().item<float>();
            levels.copy_(updated);
            if (moved <= Options.Tolerance) break;
        }
        return levels;
    }

    protected override JsonObject Settings()
    {
        var settings = BaseSettings();
        settings["iterations"] = Options.Iterations;
        settings["tolerance"] = Options.Tolerance;
        return settings;
    }

    /// <summary>Rebuilds a fitted Lloyd–Max quantizer from a <see cref="QuantizerFile"/> state.</summary>
    public static LloydMaxQuantizer FromState(QuantizerState state)
    {
        var options = new LloydMaxOptions
        {
            Bits = state.Setting<int>("bits"),
            MaxBitsPerDimension = state.Setting<int>("maxBitsPerDimension"),
            Iterations = state.Setting<int>("iterations"),
            Tolerance = state.Setting<double>("tolerance"),
        };
        var quantizer = new LloydMaxQuantizer(state.Dimension, options) { Provenance = new(state.Provenance) };
        quantizer.Restore(state);
        return quantizer;
    }
}

/// <summary>Lloyd–Max scalar quantizer options.</summary>
public sealed record LloydMaxOptions
{
    /// <summary>Bits per frame over all dimensions; 40 is the paper's 3 kbps at 75 Hz.</summary>
    public int Bits { get; init; } = 40;

    /// <summary>Cap on one dimension's bits, which bounds the level table at 2^cap entries per dimension.</summary>
    public int MaxBitsPerDimension { get; init; } = 12;

    /// <summary>At most this many Lloyd iterations.</summary>
    public int Iterations { get; init; } = 50;

    /// <summary>Stop once no level moves by more than this (in latent units).</summary>
    public double Tolerance { get; init; } = 1e-5;

    public void Validate()
    {
        if (Iterations < 0) throw new ArgumentException($"Iterations must be non-negative, got {Iterations}.", nameof(Iterations));
        if (Tolerance < 0) throw new ArgumentException($"Tolerance must be non-negative, got {Tolerance}.", nameof(Tolerance));
    }
}
