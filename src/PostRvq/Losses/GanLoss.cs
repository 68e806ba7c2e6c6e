// Least-squares GAN losses (Mao et al. 2017) summed over sub-discriminators, as DAC (Kumar et al. 2023) trains with.
using PostRvq.Discriminators;
using static TorchSharp.torch;

namespace PostRvq.Losses;

/// <summary>Least-squares adversarial losses on the <see cref="DiscriminatorOutput.Score"/> maps; real targets 1, fake 0.</summary>
public static class GanLoss
{
    /// <summary>
    /// Σ_k mean((1 − D_k(real))²) + mean(D_k(fake)²), a scalar. The caller must compute <paramref name="fake"/> from
    /// detached generator audio (<c>discriminator.call(reconstruction.detach())</c>) so this loss trains only the discriminator.
    /// </summary>
    public static Tensor Discriminator(IReadOnlyList<DiscriminatorOutput> real, IReadOnlyList<DiscriminatorOutput> fake)
    {
        RequireSameCount(real, fake);
        using var scope = NewDisposeScope();
        var total = zeros(1, device: real[0].Score.device).squeeze();
        foreach (var (r, f) in real.Zip(fake))
            total = total + (1 - r.Score).square().mean() + f.Score.square().mean();
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>Σ_k mean((1 − D_k(fake))²), a scalar; <paramref name="fake"/> is computed from the generator's audio with its graph.</summary>
    public static Tensor Generator(IReadOnlyList<DiscriminatorOutput> fake)
    {
        if (fake.Count == 0) throw new ArgumentException("At least one discriminator output is needed.", nameof(fake));
        using var scope = NewDisposeScope();
        var total = zeros(1, device: fake[0].Score.device).squeeze();
        foreach (var f in fake)
            total = total + (1 - f.Score).square().mean();
        return total.MoveToOuterDisposeScope();
    }

    internal static void RequireSameCount(IReadOnlyList<DiscriminatorOutput> real, IReadOnlyList<DiscriminatorOutput> fake)
    {
        if (real.Count == 0) throw new ArgumentException("At least one discriminator output is needed.", nameof(real));
        if (real.Count != fake.Count)
            throw new ArgumentException($"Got {real.Count} real but {fake.Count} fake discriminator outputs.", nameof(fake));
    }
}
