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
    public override string ToString() => $"{Signed(Mean)} {Interval}";

    /// <summary>"[−0.150, −0.097]".</summary>
    public string Interval => $"[{Signed(Low)}, {Signed(High)}]";

    /// <summary>A difference with its sign and three decimals, "+0.012" or "−0.012" (a true minus sign).</summary>
    public static string Signed(double value) => value.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture);
}
