// Multi-resolution STFT loss: Yamamoto et al., "Parallel WaveGAN", ICASSP 2020, here in the log-magnitude L1 form of StftDistance.
using PostRvq.Metrics;
using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Losses;

/// <summary>
/// Differentiable multi-resolution STFT loss: the sum over FFT sizes n (hop n/4, periodic Hann, centered) of
/// mean |log10(max(|X_ref|, 1e-5)) − log10(max(|X_est|, 1e-5))| over batch, bins and frames — the same form as
/// <see cref="StftDistance"/>, with <see cref="Stft.StableMagnitude"/> so silent audio has finite gradients.
/// With FFT sizes (2048, 512) it equals the batch mean of <see cref="StftDistance"/>.
/// </summary>
public sealed class MultiResolutionStftLoss
{
    /// <summary>FFT sizes of the common multi-resolution STFT loss.</summary>
    public static IReadOnlyList<int> DefaultFftSizes { get; } = [2048, 1024, 512];

    readonly IReadOnlyList<int> _fftSizes;

    /// <summary>FFT sizes default to <see cref="DefaultFftSizes"/>.</summary>
    public MultiResolutionStftLoss(IReadOnlyList<int>? fftSizes = null)
    {
        _fftSizes = fftSizes ?? DefaultFftSizes;
        if (_fftSizes.Count == 0) throw new ArgumentException("At least one FFT size is needed.", nameof(fftSizes));
        if (_fftSizes.Any(n => n < 4)) throw new ArgumentException("FFT sizes must be at least 4 (hop n/4).", nameof(fftSizes));
    }

    /// <summary>Scalar loss for estimate and reference [B, T] or [B, 1, T], cut to the shorter length.</summary>
    public Tensor Forward(Tensor estimate, Tensor reference)
    {
        using var scope = NewDisposeScope();
        return SpectralDistance.MultiResolutionLogStft(reference, estimate, _fftSizes, stableMagnitude: true)
            .mean().MoveToOuterDisposeScope();
    }

    /// <summary>The same loss on magnitudes that the mel loss may share; call inside a dispose scope, which owns the result.</summary>
    internal Tensor Forward(MagnitudeSpectra estimate, MagnitudeSpectra reference) =>
        SpectralDistance.MultiResolutionLogStft(reference, estimate, _fftSizes).mean();
}
