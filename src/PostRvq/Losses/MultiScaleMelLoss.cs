// DAC's multi-scale mel reconstruction loss: Kumar et al., "High-Fidelity Audio Compression with Improved RVQGAN", 2023.
using PostRvq.Metrics;
using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Losses;

/// <summary>
/// Differentiable multi-scale log-mel L1 loss: the batch mean of <see cref="MelDistance"/> computed in the input's
/// dtype with <see cref="Stft.StableMagnitude"/>, so silent audio has finite gradients.
/// </summary>
public sealed class MultiScaleMelLoss
{
    readonly int _sampleRate;
    readonly IReadOnlyList<(int Window, int Mels)> _scales;

    /// <summary>Scales default to the 7 metric scales of <see cref="MelDistance.Scales"/>.</summary>
    public MultiScaleMelLoss(int sampleRate, IReadOnlyList<(int Window, int Mels)>? scales = null)
    {
        if (sampleRate < 1) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "Sample rate must be positive.");
        _sampleRate = sampleRate;
        _scales = scales ?? MelDistance.Scales;
        if (_scales.Count == 0) throw new ArgumentException("At least one scale is needed.", nameof(scales));
    }

    /// <summary>Scalar loss for estimate and reference [B, T] or [B, 1, T], cut to the shorter length.</summary>
    public Tensor Forward(Tensor estimate, Tensor reference)
    {
        using var scope = NewDisposeScope();
        return SpectralDistance.MultiScaleLogMel(reference, estimate, _sampleRate, _scales, stableMagnitude: true)
            .mean().MoveToOuterDisposeScope();
    }

    /// <summary>The same loss on magnitudes that the STFT loss may share; call inside a dispose scope, which owns the result.</summary>
    internal Tensor Forward(MagnitudeSpectra estimate, MagnitudeSpectra reference) =>
        SpectralDistance.MultiScaleLogMel(reference, estimate, _sampleRate, _scales).mean();
}
