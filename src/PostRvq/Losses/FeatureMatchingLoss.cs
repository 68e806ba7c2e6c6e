// Feature-matching loss (Larsen et al. 2016; used by MelGAN, HiFi-GAN and DAC): L1 between discriminator activations.
using PostRvq.Discriminators;
using static TorchSharp.torch;

namespace PostRvq.Losses;

/// <summary>L1 distance between the intermediate features a discriminator computes on real and on generated audio.</summary>
public static class FeatureMatchingLoss
{
    /// <summary>
    /// Σ over sub-discriminators and their layers (the final score excluded) of mean |f_real.detach() − f_fake|, a scalar.
    /// Real features are detached so only the generator is pulled toward them.
    /// </summary>
    public static Tensor Compute(IReadOnlyList<DiscriminatorOutput> real, IReadOnlyList<DiscriminatorOutput> fake)
    {
        GanLoss.RequireSameCount(real, fake);
        using var scope = NewDisposeScope();
        var total = zeros(1, device: real[0].Score.device).squeeze();
        foreach (var (r, f) in real.Zip(fake))
        {
            if (r.Features.Count != f.Features.Count)
                throw new ArgumentException($"Got {r.Features.Count} real but {f.Features.Count} fake feature maps from one discriminator.", nameof(fake));
            foreach (var (realFeature, fakeFeature) in r.Features.Zip(f.Features))
                total = total + (realFeature.detach() - fakeFeature).abs().mean();
        }
        return total.MoveToOuterDisposeScope();
    }
}
