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
        var (r, e) = AudioBatch.CutToShorter(reference, estimate);
        var total = zeros(r.shape[0], dtype: r.dtype, device: r.device);
        foreach (var (window, mels) in scales)
        {
            var filterbank = MelFilterbank.Create(sampleRate, window, mels, r.dtype, r.device);
            var hop = window / 4;
            total = total + LogL1(
                filterbank.matmul(Magnitude(r, window, hop, stableMagnitude)),
                filterbank.matmul(Magnitude(e, window, hop, stableMagnitude)));
        }
        return total;
    }

    /// <summary>Sum over FFT sizes of mean |log10 |X_ref| − log10 |X_est||, hop n/4; inputs [B, T] or [B, 1, T], returns [B].</summary>
    internal static Tensor MultiResolutionLogStft(Tensor reference, Tensor estimate, IReadOnlyList<int> fftSizes, bool stableMagnitude)
    {
        var (r, e) = AudioBatch.CutToShorter(reference, estimate);
        var total = zeros(r.shape[0], dtype: r.dtype, device: r.device);
        foreach (var nFft in fftSizes)
        {
            total = total + LogL1(
                Magnitude(r, nFft, nFft / 4, stableMagnitude),
                Magnitude(e, nFft, nFft / 4, stableMagnitude));
        }
        return total;
    }

    static Tensor Magnitude(Tensor audio, int nFft, int hop, bool stable) =>
        stable ? Stft.StableMagnitude(audio, nFft, hop) : Stft.Magnitude(audio, nFft, hop);

    /// <summary>Per-item mean of |log10(max(a, floor)) − log10(max(b, floor))| over [B, F, N] → [B].</summary>
    static Tensor LogL1(Tensor a, Tensor b) =>
        (a.clamp_min(LogFloor).log10() - b.clamp_min(LogFloor).log10()).abs().mean([1, 2]);
}
