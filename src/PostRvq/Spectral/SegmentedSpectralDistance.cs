using TorchSharp;
using static TorchSharp.torch;

namespace PostRvq.Spectral;

/// <summary>
/// The log-magnitude L1 distances of <see cref="SpectralDistance"/> over a long signal, one segment at a time, so memory
/// grows with the segment and not with the clip. Each segment is given exactly the whole-clip STFT's frames whose
/// centres fall in it (with the same reflect padding at the clip's two ends), so the per-segment sums of |log diff| and
/// their frame counts combine into the whole-clip mean, up to float64 summation order.
/// </summary>
static class SegmentedSpectralDistance
{
    /// <summary>Segment starts are multiples of this, and so of every hop the metrics use (the largest is 2048/4).</summary>
    internal const int Alignment = 512;

    /// <summary>
    /// How many segments of <paramref name="segment"/> samples a signal of <paramref name="length"/> samples is cut into:
    /// the last one takes the remainder, so it is at least one segment long (and never shorter than a window).
    /// </summary>
    internal static long SegmentCount(long length, int segment) => Math.Max(1, length / segment);

    /// <summary>As <see cref="SpectralDistance.MultiScaleLogMel(Tensor, Tensor, int, IReadOnlyList{ValueTuple{int, int}}, bool)"/> (plain |X|), per segment; inputs [B, T] or [B, 1, T], returns [B] float64.</summary>
    internal static Tensor MultiScaleLogMel(Tensor reference, Tensor estimate, int sampleRate, IReadOnlyList<(int Window, int Mels)> scales, int segment)
    {
        var (r, e) = AudioBatch.CutToShorter(reference, estimate);
        var total = zeros(r.shape[0], dtype: ScalarType.Float64, device: r.device);
        foreach (var (window, mels) in scales)
        {
            var filterbank = MelFilterbank.Create(sampleRate, window, mels, ScalarType.Float64, r.device);
            total = total + MeanLogL1(r, e, window, window / 4, segment, filterbank.matmul);
        }
        return total;
    }

    /// <summary>As <see cref="SpectralDistance.MultiResolutionLogStft(Tensor, Tensor, IReadOnlyList{int}, bool)"/> (plain |X|), per segment; inputs [B, T] or [B, 1, T], returns [B] float64.</summary>
    internal static Tensor MultiResolutionLogStft(Tensor reference, Tensor estimate, IReadOnlyList<int> fftSizes, int segment)
    {
        var (r, e) = AudioBatch.CutToShorter(reference, estimate);
        var total = zeros(r.shape[0], dtype: ScalarType.Float64, device: r.device);
        foreach (var nFft in fftSizes)
        {
            total = total + MeanLogL1(r, e, nFft, nFft / 4, segment, magnitude => magnitude);
        }
        return total;
    }

    /// <summary>
    /// Mean over bins and frames of |log10 max(A, floor) − log10 max(B, floor)| [B] at one resolution, where A and B are
    /// <paramref name="project"/> of the STFT magnitudes of r and e [B, T]; computed segment by segment.
    /// </summary>
    static Tensor MeanLogL1(Tensor r, Tensor e, int window, int hop, int segment, Func<Tensor, Tensor> project)
    {
        if (segment % Alignment != 0 || segment < window)
            throw new ArgumentOutOfRangeException(nameof(segment), segment, $"A metric segment must be a multiple of {Alignment} samples and at least one window.");
        var length = r.shape[1];
        var segments = SegmentCount(length, segment);
        // The whole-clip STFT has frames 0 … length / hop, frame j centred on sample j·hop.
        var lastFrame = length / hop;
        var sum = zeros(r.shape[0], dtype: ScalarType.Float64, device: r.device);
        long frames = 0, bins = 0;
        for (long k = 0; k < segments; k++)
        {
            using var scope = NewDisposeScope();
            var firstFrame = k * segment / hop;
            var endFrame = k == segments - 1 ? lastFrame + 1 : (k + 1) * segment / hop;
            var a = project(Stft.UncentredMagnitude(Framed(r, firstFrame, endFrame, window, hop), window, hop));
            var b = project(Stft.UncentredMagnitude(Framed(e, firstFrame, endFrame, window, hop), window, hop));
            sum = (sum + (a.clamp_min(SpectralDistance.LogFloor).log10() - b.clamp_min(SpectralDistance.LogFloor).log10()).abs().sum([1, 2]))
                .MoveToOuterDisposeScope();
            frames += endFrame - firstFrame;
            bins = a.shape[1];
        }
        return sum / (double)(bins * frames);
    }

    /// <summary>
    /// The samples [B, (end − first − 1)·hop + window] (float64) that frames first … end − 1 of the centred STFT of
    /// <paramref name="signal"/> [B, T] read, reflect-padded by window/2 at the clip's ends as torch.stft pads the whole clip.
    /// </summary>
    static Tensor Framed(Tensor signal, long firstFrame, long endFrame, int window, int hop)
    {
        var length = signal.shape[1];
        var from = firstFrame * hop - window / 2;
        var to = (endFrame - 1) * hop + window / 2;
        var start = Math.Max(0, from);
        var slice = signal.narrow(1, start, Math.Min(length, to) - start).to_type(ScalarType.Float64);
        var left = start - from;
        var right = Math.Max(0, to - length);
        if (left == 0 && right == 0) return slice;
        // The slice keeps at least a segment of real samples beside each padded end, so reflecting it reflects the clip.
        return nn.functional.pad(slice.unsqueeze(1), [left, right], PaddingModes.Reflect).squeeze(1);
    }
}
