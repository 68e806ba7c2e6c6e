// One sub-discriminator of HiFi-GAN's multi-period discriminator (Kong et al. 2020), as used by DAC.
using PostRvq.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Discriminators;

/// <summary>
/// Folds audio [B, 1, T] into [B, 1, ⌈T/p⌉, p] so each column holds every p-th sample, then runs 2-D convs along time
/// only. T must exceed the reflect padding, i.e. T ≥ p.
/// </summary>
public sealed class PeriodDiscriminator : nn.Module<Tensor, DiscriminatorOutput>
{
    const double LeakySlope = 0.1;

    readonly ModuleList<WeightNormConv2d> convs;
    readonly WeightNormConv2d conv_post;
    readonly int period;

    public PeriodDiscriminator(int period, IReadOnlyList<int> channels) : base(nameof(PeriodDiscriminator))
    {
        this.period = period;
        convs = new ModuleList<WeightNormConv2d>();
        long width = 1;
        foreach (var next in channels)
        {
            convs.Add(new WeightNormConv2d(width, next, kernelSize: (5, 1), stride: (3, 1), padding: (2, 0)));
            width = next;
        }
        convs.Add(new WeightNormConv2d(width, width, kernelSize: (5, 1), stride: (1, 1), padding: (2, 0)));
        conv_post = new WeightNormConv2d(width, 1, kernelSize: (3, 1), stride: (1, 1), padding: (1, 0));
        RegisterComponents();
    }

    public override DiscriminatorOutput forward(Tensor audio)
    {
        using var scope = NewDisposeScope();
        var length = audio.shape[^1];
        var padding = (period - length % period) % period;
        var x = padding == 0 ? audio.alias() : nn.functional.pad(audio, [0, padding], PaddingModes.Reflect);
        x = x.reshape(audio.shape[0], 1, (length + padding) / period, period);
        var features = new List<Tensor>();
        foreach (var conv in convs)
        {
            x = nn.functional.leaky_relu(conv.call(x), LeakySlope);
            features.Add(x);
        }
        var score = conv_post.call(x);
        return new DiscriminatorOutput(score.MoveToOuterDisposeScope(), features.Select(f => f.MoveToOuterDisposeScope()).ToList());
    }
}
