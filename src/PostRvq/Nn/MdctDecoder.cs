// The synthesis half of the MDCT autoencoder: the linear codec's inverse plus a learnt correction, at the frame rate.
using PostRvq.Spectral;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// Latent [B, D, F] → audio [B, 1, F·N]. Latent frame f writes MDCT frames f and f + 1 (kernel-2 transposed convs):
/// X̂ = g ⊙ (σ·linear(z) + r · s ⊙ out_proj(blocks(in_proj(z)))), then the inverse MDCT overlap-adds X̂ into samples.
/// r is the RMS of the neighbouring latent frames, so the correction scales with the signal and silence decodes to
/// silence; s is the per-bin RMS of the training coefficients. The real-valued transform carries phase in the
/// coefficients' signs, so there is no phase to invent. The per-bin gate g = 2·sigmoid(gate_proj(h)) in [0, 2] lets
/// band-limited sources (telephone speech, 11 kHz game sounds) reach the exact silence above their cut-off that the
/// log-mel distance asks for, which an additive correction cannot. out_proj and gate_proj start at zero, so a fresh
/// decoder is exactly its linear path.
/// </summary>
public sealed class MdctDecoder : nn.Module<Tensor, Tensor>
{
    readonly ConvTranspose1d linear;
    readonly Conv1d in_proj;
    readonly LayerNorm in_norm;
    readonly Sequential blocks;
    readonly LayerNorm out_norm;
    readonly ConvTranspose1d out_proj;
    readonly ConvTranspose1d gate_proj;
    readonly Tensor bin_scale;
    readonly Tensor latent_scale;
    readonly Mdct mdct;

    public MdctDecoder(AutoencoderOptions options) : base(nameof(MdctDecoder))
    {
        long bins = options.MdctHop, channels = options.FrameChannels;
        mdct = new Mdct(options.MdctHop);
        linear = nn.ConvTranspose1d(options.LatentDim, bins, kernel_size: 2, bias: false);
        in_proj = nn.Conv1d(options.LatentDim, channels, kernel_size: 3, padding: 1);
        in_norm = nn.LayerNorm(channels, eps: 1e-6);
        blocks = MdctEncoder.FrameBlocks(options, options.DecoderBlocks);
        out_norm = nn.LayerNorm(channels, eps: 1e-6);
        out_proj = nn.ConvTranspose1d(channels, bins, kernel_size: 2);
        gate_proj = nn.ConvTranspose1d(channels, bins, kernel_size: 2);
        bin_scale = ones(bins);
        latent_scale = ones(1);
        RegisterComponents();
        using (no_grad())
        {
            foreach (var head in new[] { out_proj, gate_proj })
            {
                head.weight!.zero_();
                head.bias!.zero_();
            }
        }
    }

    /// <summary>The kernel-2 transposed projection [D, N, 2] of latents onto MDCT frames.</summary>
    public Parameter LinearWeight => linear.weight!;

    /// <summary>Per-bin scale [N] of the nonlinear branch's output.</summary>
    public Tensor BinScale => bin_scale;

    /// <summary>σ [1]: the RMS of the linear projection, which keeps the latent near unit scale and the weights orthonormal.</summary>
    public Tensor LatentScale => latent_scale;

    /// <summary>The level of latent frame f for MDCT frames f and f + 1: [B, 1, F] → [B, 1, F + 1], each the louder neighbour.</summary>
    static Tensor ShiftedLevel(Tensor latent)
    {
        var level = MdctEncoder.FrameLevel(latent);
        var left = nn.functional.pad(level, [0, 1]);
        var right = nn.functional.pad(level, [1, 0]);
        return maximum(left, right);
    }

    public override Tensor forward(Tensor latent)
    {
        using var scope = NewDisposeScope();
        var hidden = MdctEncoder.ChannelNorm(in_norm, in_proj.call(latent));
        hidden = MdctEncoder.ChannelNorm(out_norm, blocks.call(hidden));
        // The correction is sized by the latent frame's level, like the encoder's, so silence decodes to silence.
        var correction = out_proj.call(hidden) * bin_scale.reshape(1, -1, 1) * ShiftedLevel(latent);
        var coefficients = linear.call(latent) * latent_scale + correction;
        coefficients = coefficients * sigmoid(gate_proj.call(hidden)) * 2;
        return mdct.Inverse(coefficients).MoveToOuterDisposeScope();
    }
}
