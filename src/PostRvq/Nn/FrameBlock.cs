// The ConvNeXt block (Liu et al. 2022) as Vocos (Siuzdak 2023) uses it on spectral frames: a depthwise conv mixes
// neighbouring frames, and a per-frame MLP mixes channels.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Residual block on frame-rate features [B, C, F] → [B, C, F]: depthwise conv (kernel k, "same" padding) → LayerNorm
/// over channels → Linear C→H → GELU → Linear H→C → per-channel layer scale, plus the input. The layer scale starts
/// small so a deep stack starts close to the identity.
/// </summary>
public sealed class FrameBlock : nn.Module<Tensor, Tensor>
{
    readonly Conv1d dwconv;
    readonly LayerNorm norm;
    readonly Linear pwconv1;
    readonly GELU act;
    readonly Linear pwconv2;
    readonly Parameter gamma;

    /// <param name="channels">C.</param>
    /// <param name="hidden">H, the width of the per-frame MLP (Vocos: 3C).</param>
    /// <param name="kernelSize">Frames the depthwise conv sees; odd so the length is kept.</param>
    /// <param name="layerScale">Initial value of every channel's output scale (Vocos: 1/depth).</param>
    public FrameBlock(long channels, long hidden, int kernelSize, double layerScale) : base(nameof(FrameBlock))
    {
        if (kernelSize < 1 || kernelSize % 2 == 0)
            throw new ArgumentException($"The frame kernel must be a positive odd number; got {kernelSize}.", nameof(kernelSize));
        dwconv = nn.Conv1d(channels, channels, kernelSize, padding: kernelSize / 2, groups: channels);
        norm = nn.LayerNorm(channels, eps: 1e-6);
        pwconv1 = nn.Linear(channels, hidden);
        act = nn.GELU();
        pwconv2 = nn.Linear(hidden, channels);
        gamma = nn.Parameter(full(channels, layerScale));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = dwconv.call(input).transpose(1, 2);
        x = pwconv2.call(act.call(pwconv1.call(norm.call(x)))) * gamma;
        return (input + x.transpose(1, 2)).MoveToOuterDisposeScope();
    }
}
