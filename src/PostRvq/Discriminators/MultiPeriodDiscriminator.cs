// HiFi-GAN's multi-period discriminator (Kong et al. 2020): one period sub-discriminator per period.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Discriminators;

/// <summary>Audio [B, 1, T] → one <see cref="DiscriminatorOutput"/> per period, in the order of the periods.</summary>
public sealed class MultiPeriodDiscriminator : nn.Module<Tensor, IReadOnlyList<DiscriminatorOutput>>
{
    readonly ModuleList<PeriodDiscriminator> discriminators;

    public MultiPeriodDiscriminator(IReadOnlyList<int> periods, IReadOnlyList<int> channels) : base(nameof(MultiPeriodDiscriminator))
    {
        discriminators = new ModuleList<PeriodDiscriminator>(periods.Select(p => new PeriodDiscriminator(p, channels)).ToArray());
        RegisterComponents();
    }

    public override IReadOnlyList<DiscriminatorOutput> forward(Tensor audio) => discriminators.Select(d => d.call(audio)).ToList();
}
