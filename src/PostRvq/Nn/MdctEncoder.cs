// The analysis half of the MDCT autoencoder: a linear codec (MDCT, then a projection such as PCA) plus a learnt
// nonlinear correction, both at the latent frame rate, so no layer runs at the sample rate.
using PostRvq.Spectral;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Audio [B, 1, T] with T a multiple of the hop N → latent [B, D, T / N]. The MDCT gives F + 1 frames; latent frame f
/// covers samples [f·N, (f + 1)·N), which MDCT frames f and f + 1 overlap, so both paths read frame pairs (kernel 2):
/// z = z_lin + r · out_proj(blocks(in_proj(X / s))) with z_lin = linear(X) / σ, where s is the per-bin RMS of the
/// training set's coefficients, σ the RMS of its projection, and r the RMS of z_lin in each frame, which makes the
/// correction scale with the signal.
/// out_proj starts at zero, so a fresh encoder is exactly its linear path.
/// </summary>
public sealed class MdctEncoder : nn.Module<Tensor, Tensor>
{
    readonly Conv1d linear;
    readonly Conv1d in_proj;
    readonly LayerNorm in_norm;
    readonly Sequential blocks;
    readonly LayerNorm out_norm;
    readonly Conv1d out_proj;
    readonly Tensor bin_scale;
    readonly Tensor latent_scale;
    readonly Mdct mdct;

    public MdctEncoder(AutoencoderOptions options) : base(nameof(MdctEncoder))
    {
        long bins = options.MdctHop, channels = options.FrameChannels;
        mdct = new Mdct(options.MdctHop);
        linear = nn.Conv1d(bins, options.LatentDim, kernel_size: 2, bias: false);
        in_proj = nn.Conv1d(bins, channels, kernel_size: 2);
        in_norm = nn.LayerNorm(channels, eps: 1e-6);
        blocks = FrameBlocks(options, options.EncoderBlocks);
        out_norm = nn.LayerNorm(channels, eps: 1e-6);
        out_proj = nn.Conv1d(channels, options.LatentDim, kernel_size: 1);
        bin_scale = ones(bins);
        latent_scale = ones(1);
        RegisterComponents();
        using (no_grad())
        {
            out_proj.weight!.zero_();
            out_proj.bias!.zero_();
        }
    }

    /// <summary>The kernel-2 projection [D, N, 2] of MDCT frame pairs onto the latent.</summary>
    public Parameter LinearWeight => linear.weight!;

    /// <summary>Per-bin scale [N] that the nonlinear branch divides coefficients by.</summary>
    public Tensor BinScale => bin_scale;

    /// <summary>σ [1]: the RMS of the linear projection, which keeps the latent near unit scale and the weights orthonormal.</summary>
    public Tensor LatentScale => latent_scale;

    public override Tensor forward(Tensor audio)
    {
        using var scope = NewDisposeScope();
        var coefficients = mdct.Forward(audio);
        var normalised = coefficients / bin_scale.reshape(1, -1, 1);
        var hidden = ChannelNorm(in_norm, in_proj.call(normalised));
        hidden = ChannelNorm(out_norm, blocks.call(hidden));
        var linearLatent = linear.call(coefficients) / latent_scale;
        // Scaled by the frame's level, the correction grows with the signal as the linear path does, so a quiet clip
        // is not drowned by a correction sized for loud ones (LayerNorm removes the level from the hidden features).
        return (linearLatent + out_proj.call(hidden) * FrameLevel(linearLatent)).MoveToOuterDisposeScope();
    }

    internal static Sequential FrameBlocks(AutoencoderOptions options, int count)
    {
        var layers = Enumerable.Range(0, count)
            .Select(_ => (nn.Module<Tensor, Tensor>)new FrameBlock(options.FrameChannels, options.FrameHidden, options.FrameKernel,
                layerScale: 1.0 / Math.Max(count, 1)))
            .ToList();
        return nn.Sequential(layers);
    }

    /// <summary>RMS over the channels of a latent [B, D, F] → [B, 1, F], floored at 1e-4 so silence stays finite.</summary>
    internal static Tensor FrameLevel(Tensor latent) => latent.square().mean([1], keepdim: true).add(1e-8).sqrt();

    /// <summary>LayerNorm over the channels of [B, C, F].</summary>
    internal static Tensor ChannelNorm(LayerNorm norm, Tensor frames) => norm.call(frames.transpose(1, 2)).transpose(1, 2);
}
