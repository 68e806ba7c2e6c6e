using static TorchSharp.torch;

namespace PostRvq.Spectral;

/// <summary>
/// The STFT magnitudes of one batch of audio at hop n/4, each FFT size computed once: the mel and STFT distances use
/// the same window, hop and centring, so where their sizes meet (2048, 1024 and 512) they can share a transform and
/// its backward pass. Call inside a dispose scope; the magnitudes belong to it.
/// </summary>
sealed class MagnitudeSpectra(Tensor audio, bool stable)
{
    readonly Dictionary<int, Tensor> byFftSize = [];

    public long BatchSize => audio.shape[0];

    public ScalarType Dtype => audio.dtype;

    public Device Device => audio.device;

    /// <summary>|X| (or <see cref="Stft.StableMagnitude"/> for losses) at FFT size <paramref name="nFft"/>, hop nFft/4: [B, nFft/2 + 1, frames].</summary>
    public Tensor Of(int nFft)
    {
        if (!byFftSize.TryGetValue(nFft, out var magnitude))
        {
            magnitude = stable ? Stft.StableMagnitude(audio, nFft, nFft / 4) : Stft.Magnitude(audio, nFft, nFft / 4);
            byFftSize[nFft] = magnitude;
        }
        return magnitude;
    }
}
