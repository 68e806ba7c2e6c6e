using static TorchSharp.torch;

namespace PostRvq.Spectral;

/// <summary>Shape checks shared by the spectral metrics and losses: mono audio as [B, T] or [B, 1, T].</summary>
static class AudioBatch
{
    /// <summary>Views [B, T] or [B, 1, T] audio as [B, T]; call inside a dispose scope and do not dispose the result.</summary>
    internal static Tensor ToBatchTime(Tensor audio) => audio.dim() switch
    {
        2 => audio,
        3 when audio.shape[1] == 1 => audio.squeeze(1),
        _ => throw new ArgumentException($"Expected mono audio [B, T] or [B, 1, T], got [{string.Join(", ", audio.shape)}].", nameof(audio)),
    };

    /// <summary>Both signals as [B, T], cut to the shorter length (docs/metrics.md compares only the overlap).</summary>
    internal static (Tensor Reference, Tensor Estimate) CutToShorter(Tensor reference, Tensor estimate)
    {
        var r = ToBatchTime(reference);
        var e = ToBatchTime(estimate);
        if (r.shape[0] != e.shape[0])
            throw new ArgumentException($"Batch sizes differ: reference {r.shape[0]}, estimate {e.shape[0]}.");
        var length = Math.Min(r.shape[1], e.shape[1]);
        return (r.narrow(1, 0, length), e.narrow(1, 0, length));
    }
}
