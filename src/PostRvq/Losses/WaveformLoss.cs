// Phase-aware reconstruction terms: unlike magnitude spectra, they are only small when the waveform itself matches.
using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Losses;

/// <summary>
/// L1 distances between estimate and reference audio [B, 1, T], cut to the shorter length: on the samples
/// (<see cref="Samples"/>) and on orthonormal MDCT coefficients (<see cref="Coefficients"/>), whose frames weigh every
/// part of the signal with a smooth window. Both vanish only when the phases match, which magnitude losses ignore.
/// </summary>
public sealed class WaveformLoss
{
    readonly Mdct mdct;

    /// <param name="mdctHop">Hop of the MDCT the coefficient term compares (320 at 24 kHz).</param>
    public WaveformLoss(int mdctHop)
    {
        mdct = new Mdct(mdctHop);
    }

    /// <summary>Mean |estimate − reference| over samples.</summary>
    public static Tensor Samples(Tensor estimate, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var (a, b) = SameLength(estimate, reference);
        return (a - b).abs().mean().MoveToOuterDisposeScope();
    }

    /// <summary>Mean |MDCT(estimate) − MDCT(reference)| over coefficients; both are zero-padded to whole hops.</summary>
    public Tensor Coefficients(Tensor estimate, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var (a, b) = SameLength(estimate, reference);
        var padding = (int)((mdct.Hop - a.shape[^1] % mdct.Hop) % mdct.Hop);
        var difference = nn.functional.pad(a - b, [0, padding]);
        // The MDCT is linear, so the difference of coefficients is the coefficients of the difference.
        return mdct.Forward(difference).abs().mean().MoveToOuterDisposeScope();
    }

    static (Tensor, Tensor) SameLength(Tensor estimate, Tensor reference)
    {
        var a = AudioBatch.ToBatchTime(estimate);
        var b = AudioBatch.ToBatchTime(reference);
        var length = Math.Min(a.shape[1], b.shape[1]);
        return (a.narrow(1, 0, length).unsqueeze(1), b.narrow(1, 0, length).unsqueeze(1));
    }
}
