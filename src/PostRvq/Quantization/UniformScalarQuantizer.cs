using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Implements uniform scalar quantization with reverse water-filling bit allocation (Gersho and Gray 1992, "Vector Quantization and Signal Compression", ch. 5 and 8).
/// Each dimension gets 2^bits[d] evenly spaced midrise levels between robust fit-set bounds (quantiles, so a few
/// outliers do not stretch the grid); values outside are clamped to the outer levels. It ignores the shape of the
/// distribution, which <see cref="LloydMaxQuantizer"/> exploits.
/// </summary>
public sealed class UniformScalarQuantizer : ScalarLevelQuantizer
{
    public UniformScalarQuantizer(int dimension, ScalarOptions options) : base(dimension, options.Bits, options.MaxBitsPerDimension)
    {
        options.Validate();
        Options = options;
    }

    public ScalarOptions Options { get; }
    public override string Kind => QuantizerKinds.Scalar;

    protected override Tensor FitLevels(Tensor sortedColumns, Tensor padIndex)
    {
        var last = sortedColumns.shape[1] - 1;
        var low = sortedColumns.select(1, (long)Math.Round(Options.LowerQuantile * last)).unsqueeze(1);
        var high = sortedColumns.select(1, (long)Math.Round(Options.UpperQuantile * last)).unsqueeze(1);
        var counts = padIndex.max(1, keepdim: true).values.to_type(ScalarType.Float32) + 1;
        return low + (padIndex.to_type(ScalarType.Float32) + 0.5f) * (high - low) / counts;
    }

    protected override JsonObject Settings()
    {
        var settings = BaseSettings();
        settings["lowerQuantile"] = Options.LowerQuantile;
        settings["upperQuantile"] = Options.UpperQuantile;
        return settings;
    }

    /// <summary>Rebuilds a fitted uniform scalar quantizer from a <see cref="QuantizerFile"/> state.</summary>
    public static UniformScalarQuantizer FromState(QuantizerState state)
    {
        var options = new ScalarOptions
        {
            Bits = state.Setting<int>("bits"),
            MaxBitsPerDimension = state.Setting<int>("maxBitsPerDimension"),
            LowerQuantile = state.Setting<double>("lowerQuantile"),
            UpperQuantile = state.Setting<double>("upperQuantile"),
        };
        var quantizer = new UniformScalarQuantizer(state.Dimension, options) { Provenance = new(state.Provenance) };
        quantizer.Restore(state);
        return quantizer;
    }
}

/// <summary>Uniform scalar quantizer options.</summary>
public sealed record ScalarOptions
{
    /// <summary>Bits per frame over all dimensions; 40 is the paper's 3 kbps at 75 Hz.</summary>
    public int Bits { get; init; } = 40;

    /// <summary>Cap on one dimension's bits, which bounds the level table at 2^cap entries per dimension.</summary>
    public int MaxBitsPerDimension { get; init; } = 12;

    /// <summary>
    /// Fit-set quantile of the lowest grid bound, a robust minimum. The 1st percentile (±2.3σ on a Gaussian) clips
    /// 2% of values, a fair trade at the 1–4 bits per dimension of low bitrates, where wider grids waste levels.
    /// </summary>
    public double LowerQuantile { get; init; } = 0.01;

    /// <summary>Fit-set quantile of the highest grid bound, a robust maximum (the 99th percentile).</summary>
    public double UpperQuantile { get; init; } = 0.99;

    public void Validate()
    {
        if (!(LowerQuantile >= 0 && LowerQuantile < UpperQuantile && UpperQuantile <= 1))
            throw new ArgumentException($"Quantiles must satisfy 0 ≤ lower < upper ≤ 1, got {LowerQuantile} and {UpperQuantile}.", nameof(LowerQuantile));
    }
}
