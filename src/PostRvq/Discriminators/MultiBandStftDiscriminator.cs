// DAC's multi-band multi-scale STFT discriminator (Kumar et al. 2023): one banded STFT sub-discriminator per window.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Discriminators;

/// <summary>Audio [B, 1, T] → one <see cref="DiscriminatorOutput"/> per STFT window, in the order of the windows.</summary>
public sealed class MultiBandStftDiscriminator : nn.Module<Tensor, IReadOnlyList<DiscriminatorOutput>>
{
    readonly ModuleList<StftBandDiscriminator> discriminators;

    public MultiBandStftDiscriminator(IReadOnlyList<int> windows, double hopFactor, IReadOnlyList<double> bandEdges, int channels)
        : base(nameof(MultiBandStftDiscriminator))
    {
        discriminators = new ModuleList<StftBandDiscriminator>(
            windows.Select(w => new StftBandDiscriminator(w, hopFactor, bandEdges, channels)).ToArray());
        RegisterComponents();
    }

    public override IReadOnlyList<DiscriminatorOutput> forward(Tensor audio) => discriminators.Select(d => d.call(audio)).ToList();
}
