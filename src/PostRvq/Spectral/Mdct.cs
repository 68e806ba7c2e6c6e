// The modified discrete cosine transform (Princen & Bradley 1986) with a sine window: a critically sampled lapped
// transform whose time-domain aliasing cancels between neighbouring frames (TDAC), so it inverts exactly.
using TorchSharp;
using static TorchSharp.torch;

namespace PostRvq.Spectral;

/// <summary>
/// An orthonormal MDCT of hop N and window 2N. Audio [B, 1, T] with T a multiple of N is zero-padded by N on both
/// sides and cut into F + 1 = T / N + 1 frames of 2N samples, each giving N real coefficients, so
/// <see cref="Forward"/> returns [B, N, T / N + 1] and <see cref="Inverse"/> gives the audio back exactly. Frame k
/// covers samples [(k − 1)·N, (k + 1)·N). Because the basis is orthonormal over the lapped frames, the squared error of
/// coefficients equals the squared error of the audio they synthesise.
/// Not handled: lengths that are not a multiple of N (callers pad to whole frames first).
/// </summary>
public sealed class Mdct
{
    readonly Dictionary<(DeviceType, int, ScalarType), Tensor> bases = [];

    /// <param name="hop">N: coefficients per frame and samples per hop; the window is 2N long.</param>
    public Mdct(int hop)
    {
        if (hop < 1) throw new ArgumentOutOfRangeException(nameof(hop), hop, "The MDCT hop must be positive.");
        Hop = hop;
    }

    public int Hop { get; }

    /// <summary>Frames that <see cref="Forward"/> gives for <paramref name="samples"/> samples (a multiple of the hop).</summary>
    public long FramesFor(long samples) => samples / Hop + 1;

    /// <summary>Audio [B, 1, T] (T a multiple of N) → coefficients [B, N, T / N + 1].</summary>
    public Tensor Forward(Tensor audio)
    {
        var length = audio.shape[^1];
        if (length % Hop != 0)
            throw new ArgumentException($"The MDCT needs a multiple of its hop {Hop} samples; got {length}.", nameof(audio));
        using var scope = NewDisposeScope();
        var padded = nn.functional.pad(audio.reshape(audio.shape[0], length), [Hop, Hop]);
        // [B, F + 1, 2N] frames with hop N, projected on the basis: [B, F + 1, N].
        var frames = padded.unfold(1, 2 * Hop, Hop);
        return frames.matmul(Basis(audio)).transpose(1, 2).MoveToOuterDisposeScope();
    }

    /// <summary>Coefficients [B, N, F + 1] → audio [B, 1, (F − 1)·N], the padding of <see cref="Forward"/> removed.</summary>
    public Tensor Inverse(Tensor coefficients)
    {
        if (coefficients.shape[1] != Hop)
            throw new ArgumentException($"Expected {Hop} coefficients per frame; got {coefficients.shape[1]}.", nameof(coefficients));
        var batch = coefficients.shape[0];
        var frames = coefficients.shape[2];
        if (frames < 2) throw new ArgumentException("The inverse MDCT needs at least two frames.", nameof(coefficients));
        using var scope = NewDisposeScope();
        // [B, F + 1, 2N] windowed frames; their halves overlap-add into F + 2 blocks of N samples.
        var windowed = coefficients.transpose(1, 2).matmul(Basis(coefficients).t());
        var firstHalves = nn.functional.pad(windowed.narrow(2, 0, Hop), [0, 0, 0, 1]);
        var secondHalves = nn.functional.pad(windowed.narrow(2, Hop, Hop), [0, 0, 1, 0]);
        var blocks = firstHalves + secondHalves;
        // Blocks 0 and F + 1 are the padding.
        return blocks.narrow(1, 1, frames - 1).reshape(batch, 1, (frames - 1) * Hop).MoveToOuterDisposeScope();
    }

    /// <summary>The [2N, N] analysis basis √(2/N)·w[n]·cos(π/N·(n + ½ + N/2)·(k + ½)) with the sine window w.</summary>
    public Tensor Basis(Tensor like)
    {
        var key = (like.device_type, like.device_index, like.dtype);
        lock (bases)
        {
            if (bases.TryGetValue(key, out var cached)) return cached;
            var n = Hop;
            var values = new double[2 * n * n];
            for (var t = 0; t < 2 * n; t++)
            {
                var window = Math.Sin(Math.PI * (t + 0.5) / (2 * n));
                for (var k = 0; k < n; k++)
                    values[t * n + k] = Math.Sqrt(2.0 / n) * window * Math.Cos(Math.PI / n * (t + 0.5 + n / 2.0) * (k + 0.5));
            }
            var basis = tensor(values, [2 * n, n], float64).to(like.dtype).to(like.device).DetachFromDisposeScope();
            bases[key] = basis;
            return basis;
        }
    }
}
