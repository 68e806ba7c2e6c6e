using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Losses;

/// <summary>
/// The mel and STFT reconstruction losses of one batch together: each equals its own class's
/// (<see cref="MultiScaleMelLoss"/>, <see cref="MultiResolutionStftLoss"/> with default sizes), but the transforms at
/// the FFT sizes both use (2048, 1024 and 512) are computed once, forward and backward.
/// </summary>
public sealed class MelAndStftLoss(int sampleRate)
{
    readonly MultiScaleMelLoss mel = new(sampleRate);
    readonly MultiResolutionStftLoss stft = new();

    /// <summary>Scalar mel and STFT losses for estimate and reference [B, T] or [B, 1, T], cut to the shorter length.</summary>
    public (Tensor Mel, Tensor Stft) Forward(Tensor estimate, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var (referenceSpectra, estimateSpectra) = SpectralDistance.Spectra(reference, estimate, stableMagnitude: true);
        return (mel.Forward(estimateSpectra, referenceSpectra).MoveToOuterDisposeScope(),
            stft.Forward(estimateSpectra, referenceSpectra).MoveToOuterDisposeScope());
    }
}
