using TorchSharp;
using static TorchSharp.torch;

namespace PostRvq.Spectral;

/// <summary>
/// STFT magnitudes with torch.stft's defaults: periodic Hann window of length nFft, center=true with
/// reflect padding of nFft/2 on each side, one-sided spectrum.
/// Reflect padding needs more than nFft/2 samples; a shorter signal is padded with zeros (constant mode)
/// instead, so the frame count is still 1 + T / hop.
/// </summary>
public static class Stft
{
    /// <summary>Added to |X|² by <see cref="StableMagnitude"/>: the square root then has a finite gradient at zero
    /// while the magnitude moves by at most 1e-6, far below the 1e-5 log floor of the spectral distances.</summary>
    public const double StabilityFloor = 1e-12;

    /// <summary>|X| of audio [B, T] or [B, 1, T]; returns [B, nFft/2 + 1, frames] in the audio's dtype.</summary>
    public static Tensor Magnitude(Tensor audio, int nFft, int hop)
    {
        using var scope = NewDisposeScope();
        return Complex(audio, nFft, hop).abs().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// sqrt(|X|² + <see cref="StabilityFloor"/>) of audio [B, T] or [B, 1, T], for losses: unlike |X| its gradient
    /// is finite when a bin is exactly zero (silent input). Returns [B, nFft/2 + 1, frames].
    /// </summary>
    public static Tensor StableMagnitude(Tensor audio, int nFft, int hop)
    {
        using var scope = NewDisposeScope();
        var parts = view_as_real(Complex(audio, nFft, hop));
        return parts.square().sum(-1).add(StabilityFloor).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// |X| of audio [B, T] that already holds every sample its frames read (no centring, no padding), for computing
    /// a slice of a centred STFT; returns [B, nFft/2 + 1, 1 + (T − nFft) / hop] in the audio's dtype.
    /// </summary>
    internal static Tensor UncentredMagnitude(Tensor audio, int nFft, int hop)
    {
        using var scope = NewDisposeScope();
        var window = hann_window(nFft, periodic: true, dtype: audio.dtype, device: audio.device);
        return stft(audio, nFft, hop, window: window, center: false, return_complex: true).abs().MoveToOuterDisposeScope();
    }

    static Tensor Complex(Tensor audio, int nFft, int hop)
    {
        if (nFft < 2) throw new ArgumentOutOfRangeException(nameof(nFft), nFft, "nFft must be at least 2.");
        if (hop < 1) throw new ArgumentOutOfRangeException(nameof(hop), hop, "hop must be positive.");
        var signal = AudioBatch.ToBatchTime(audio);
        var window = hann_window(nFft, periodic: true, dtype: signal.dtype, device: signal.device);
        var padMode = signal.shape[1] > nFft / 2 ? PaddingModes.Reflect : PaddingModes.Constant;
        return stft(signal, nFft, hop, window: window, center: true, pad_mode: padMode, return_complex: true);
    }
}
