using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>
/// Energy ratios in dB with one convention for SI-SDR, SNR and latent SNR: the error energy is floored at
/// 1e-12 of the signal energy, so a perfect estimate gives exactly <see cref="Ceiling"/> (120 dB) instead of +∞,
/// and averages over items stay finite.
/// </summary>
public static class Decibels
{
    /// <summary>The value for an error-free estimate, including two silent signals.</summary>
    public const double Ceiling = 120.0;

    const double ErrorFloorRatio = 1e-12;

    // Keeps a silent signal's energy positive, so a silent reference gives a very low but finite value.
    const double MinimumEnergy = 1e-30;

    /// <summary>10·log10(signal / max(error, 1e-12·signal)) elementwise, for float64 energies of any shape.</summary>
    public static Tensor EnergyRatio(Tensor signalEnergy, Tensor errorEnergy)
    {
        using var scope = NewDisposeScope();
        var signal = signalEnergy.clamp_min(MinimumEnergy);
        var error = maximum(errorEnergy, signal * ErrorFloorRatio);
        return (10.0 * (signal / error).log10()).MoveToOuterDisposeScope();
    }

    /// <summary>10·log10(signal / max(error, 1e-12·signal)) for scalar energies.</summary>
    public static double EnergyRatio(double signalEnergy, double errorEnergy)
    {
        var signal = Math.Max(signalEnergy, MinimumEnergy);
        var error = Math.Max(errorEnergy, signal * ErrorFloorRatio);
        return 10.0 * Math.Log10(signal / error);
    }
}
