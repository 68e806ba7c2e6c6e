using static TorchSharp.torch;

namespace PostRvq.Spectral;

/// <summary>
/// The log-magnitude L1 distances behind the mel and STFT metrics and their losses, per batch item.
/// Call inside a dispose scope; intermediates belong to it.
/// </summary>
static class SpectralDistance
{
    /// <summary>Magnitudes below this are clamped before log10 (DAC's floor, docs/metrics.md).</summary>
    internal const double LogFloor = 1e-5;

    /// <summary>Sum over scales of mean |log10 mel(ref) − log10 mel(est)|; inputs [B, T] or [B, 1, T], returns [B].</summary>
    internal static Tensor MultiScaleLogMel(
        Tensor reference, Tensor estimate, int sampleRate, IReadOnlyList<(int Window, int Mels)> scales, bool stableMagnitude)
    {
        var (r, e) = Spectra(reference, estimate, stableMagnitude);
        return MultiScaleLogMel(r, e, sampleRate, scales);
    }

    /// <summary>Sum over FFT sizes of mean |log10 |X_ref| − log10 |X_est||, hop n/4; inputs [B, T] or [B, 1, T], returns [B].</summary>
    internal static Tensor MultiResolutionLogStft(Tensor reference, Tensor estimate, IReadOnlyList<int> fftSizes, bool stableMagnitude)
    {
        var (r, e) = Spectra(reference, estimate, stableMagnitude);
        return MultiResolutionLogStft(r, e, fftSizes);
    }

    /// <summary>Both signals cut to the shorter length, as magnitude sources that the mel and STFT distances can share.</summary>
    internal static (MagnitudeSpectra Reference, MagnitudeSpectra Estimate) Spectra(Tensor reference, Tensor estimate, bool stableMagnitude)
    {
        var (r, e) = AudioBatch.CutToShorter(reference, estimate);
        return (new MagnitudeSpectra(r, stableMagnitude), new MagnitudeSpectra(e, stableMagnitude));
    }

    /// <summary>The mel distance on magnitudes that may already have served another distance; returns [B].</summary>
    internal static Tensor MultiScaleLogMel(
        MagnitudeSpectra reference, MagnitudeSpectra estimate, int sampleRate, IReadOnlyList<(int Window, int Mels)> scales)
    {
        var total = zeros(reference.BatchSize, dtype: reference.Dtype, device: reference.Device);
        foreach (var (window, mels) in scales)
        {
            var filterbank = MelFilterbank.Create(sampleRate, window, mels, reference.Dtype, reference.Device);
            total = total + LogL1(filterbank.matmul(reference.Of(window)), filterbank.matmul(estimate.Of(window)));
        }
        return total;
    }

    /// <summary>The STFT distance on magnitudes that may already have served another distance; returns [B].</summary>
    internal static Tensor MultiResolutionLogStft(MagnitudeSpectra reference, MagnitudeSpectra estimate, IReadOnlyList<int> fftSizes)
    {
        var total = zeros(reference.BatchSize, dtype: reference.Dtype, device: reference.Device);
        foreach (var nFft in fftSizes) total = total + LogL1(reference.Of(nFft), estimate.Of(nFft));
        return total;
    }

    /// <summary>Per-item mean of |log10(max(a, floor)) − log10(max(b, floor))| over [B, F, N] → [B].</summary>
    static Tensor LogL1(Tensor a, Tensor b) =>
        (a.clamp_min(LogFloor).log10() - b.clamp_min(LogFloor).log10()).abs().mean([1, 2]);
}
