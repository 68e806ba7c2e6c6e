using System.Globalization;

namespace PostRvq.Evaluation;

/// <summary>
/// The mean over clips of a per-clip difference (system A minus system B) and its bootstrap confidence interval.
/// <see cref="Clips"/> counts the pairs used (pairs where either value is not finite are left out).
/// </summary>
public sealed record PairedDifference(double Mean, double Low, double High, int Clips, int Resamples, double Confidence, int Seed)
{
    /// <summary>Whether the whole interval lies below zero: A is lower than B beyond resampling noise.</summary>
    public bool IsBelowZero => High < 0;

    /// <summary>Whether the whole interval lies above zero: A is higher than B beyond resampling noise.</summary>
    public bool IsAboveZero => Low > 0;

    /// <summary>"−0.123 [−0.150, −0.097]" with three decimals.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Mean:+0.000;−0.000;0.000} [{Low:+0.000;−0.000;0.000}, {High:+0.000;−0.000;0.000}]");
}
