// The linear codec an MDCT autoencoder starts from: MDCT frames projected on their principal components (or on the
// lowest bins, an ideal low-pass), so training begins where linear transform coding ends.
using PostRvq.Audio;
using PostRvq.Spectral;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>Which D-dimensional subspace of the N MDCT coefficients the linear path keeps.</summary>
public enum LinearBasis
{
    /// <summary>The top-D principal components of the training frames (uncentred: MDCT coefficients have zero mean).</summary>
    Pca,
    /// <summary>The lowest D bins: an ideal low-pass at D/N of the Nyquist frequency.</summary>
    LowPass,
}

/// <summary>What <see cref="MdctLinearInit.Fit"/> measured on the training frames.</summary>
/// <param name="BinScale">RMS of each MDCT bin [N], floored at 1e-3 of the mean RMS so silent bins stay finite.</param>
/// <param name="Basis">[D, N], orthonormal rows: the projection onto the latent.</param>
/// <param name="LatentScale">RMS of the projected coefficients; latents are divided by it so their dims average unit variance.</param>
/// <param name="Frames">MDCT frames the statistics came from.</param>
/// <param name="EnergyKept">Fraction of the frames' energy inside the basis's subspace.</param>
public sealed record MdctLinearCodec(Tensor BinScale, Tensor Basis, double LatentScale, long Frames, double EnergyKept);

/// <summary>
/// Fits the linear codec of an <c>mdct</c> model on training audio and writes it into the model's linear paths:
/// the encoder projects MDCT frame f, the one centred on sample f·N, on the basis (z_f = P·X_f / σ) and the decoder
/// writes it back (X̂_f = Pᵀ·z_f · σ). The last frame F, which only the kernel-2 taps reach, starts at zero, so the
/// linear codec loses the clip's last hop until training teaches the second taps to carry it (clips more often end in a
/// decay than start in one, which is why the last frame rather than the first is the one left out). The weights hold P itself and σ is a buffer, so the optimiser moves weights of unit scale. With the nonlinear branches at their zero start, the model is then exactly the linear codec.
/// </summary>
public static class MdctLinearInit
{
    /// <summary>At most this much audio feeds the statistics; 10 minutes give ~45,000 frames for a 320 × 320 covariance.</summary>
    public const double DefaultSeconds = 600;

    /// <summary>Second-moment statistics of the MDCT frames of <paramref name="clips"/>, spread evenly over them.</summary>
    public static MdctLinearCodec Fit(IReadOnlyList<AudioClip> clips, AutoencoderOptions options, LinearBasis basis = LinearBasis.Pca,
        double maxSeconds = DefaultSeconds)
    {
        if (options.Kind != ModelKinds.Mdct) throw new ArgumentException($"A linear MDCT codec needs model.kind '{ModelKinds.Mdct}', not '{options.Kind}'.");
        if (clips.Count == 0) throw new ArgumentException("No clips to fit the linear codec on.", nameof(clips));
        var mdct = new Mdct(options.MdctHop);
        int bins = options.MdctHop, dims = options.LatentDim;
        using var scope = NewDisposeScope();
        var moment = zeros([bins, bins], float64);
        long frames = 0;
        var budget = (long)(maxSeconds * options.SampleRate);
        var total = clips.Sum(c => (long)c.Length);
        // Floor, so a list already cut to about the budget is used whole rather than every other clip.
        var stride = Math.Max(1, (int)Math.Floor((double)total / Math.Max(budget, 1)));
        long used = 0;
        for (var i = 0; i < clips.Count && used < budget; i += stride)
        {
            using var clipScope = NewDisposeScope();
            var samples = clips[i].Samples;
            var length = (samples.Length + bins - 1) / bins * bins;
            var audio = nn.functional.pad(tensor(samples, [1, 1, samples.Length], float64), [0, length - samples.Length]);
            var x = mdct.Forward(audio)[0].t();
            moment.add_(x.t().matmul(x));
            frames += x.shape[0];
            used += samples.Length;
        }
        moment.div_(frames);
        var rms = moment.diagonal().clamp_min(0).sqrt();
        var binScale = rms.clamp_min(rms.mean().item<double>() * 1e-3);
        var projection = basis == LinearBasis.Pca ? PrincipalComponents(moment, dims) : eye(dims, bins, float64);
        var projectedEnergy = projection.matmul(moment).matmul(projection.t()).diagonal().sum().item<double>();
        var energyKept = projectedEnergy / Math.Max(moment.diagonal().sum().item<double>(), 1e-30);
        var latentScale = Math.Sqrt(Math.Max(projectedEnergy / dims, 1e-20));
        return new MdctLinearCodec(binScale.to(float32).DetachFromDisposeScope(), projection.to(float32).DetachFromDisposeScope(),
            latentScale, frames, energyKept);
    }

    /// <summary>
    /// Writes <paramref name="codec"/>'s bin scales into both halves of <paramref name="model"/> and, when
    /// <paramref name="linearPaths"/> is true, its basis into the linear paths (other taps zero).
    /// </summary>
    public static void Apply(Autoencoder model, MdctLinearCodec codec, bool linearPaths = true)
    {
        var encoder = model.MdctEncoder ?? throw new ArgumentException($"The model is '{model.Options.Kind}', not '{ModelKinds.Mdct}'.", nameof(model));
        var decoder = model.MdctDecoder!;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = encoder.LinearWeight.device;
        encoder.BinScale.copy_(codec.BinScale.to(device));
        decoder.BinScale.copy_(codec.BinScale.to(device));
        encoder.LatentScale.fill_(codec.LatentScale);
        decoder.LatentScale.fill_(codec.LatentScale);
        if (!linearPaths) return;
        var basis = codec.Basis.to(device);
        encoder.LinearWeight.zero_();
        encoder.LinearWeight.select(2, 0).copy_(basis);
        decoder.LinearWeight.zero_();
        decoder.LinearWeight.select(2, 0).copy_(basis);
    }

    /// <summary>
    /// The linear codec as a model of its own: <paramref name="options"/> with no blocks, so the nonlinear branches
    /// are empty and encoding and decoding are the two linear maps. In eval mode.
    /// </summary>
    public static Autoencoder AnchorModel(AutoencoderOptions options, MdctLinearCodec codec)
    {
        var model = Autoencoder.Create(options with { EncoderBlocks = 0, DecoderBlocks = 0, LinearInit = true });
        Apply(model, codec);
        model.eval();
        return model;
    }

    /// <summary>Fits on <paramref name="clips"/> and applies to <paramref name="model"/> as its options say.</summary>
    public static MdctLinearCodec FitAndApply(Autoencoder model, IReadOnlyList<AudioClip> clips, LinearBasis basis = LinearBasis.Pca)
    {
        var codec = Fit(clips, model.Options, basis);
        Apply(model, codec, model.Options.LinearInit);
        return codec;
    }

    /// <summary>The top-<paramref name="count"/> eigenvectors of a symmetric [N, N] matrix as rows [count, N], largest first, signs fixed.</summary>
    static Tensor PrincipalComponents(Tensor moment, int count)
    {
        var (_, vectors) = linalg.eigh(moment);
        var top = vectors.narrow(1, vectors.shape[1] - count, count).flip(1).t();
        // Each row's largest entry is made positive, so a fit is reproducible across LAPACK builds.
        var largest = top.abs().argmax(1, keepdim: true);
        var signs = top.gather(1, largest).sign();
        return top * signs;
    }
}
