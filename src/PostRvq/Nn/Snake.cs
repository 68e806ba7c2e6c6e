// Snake activation (Ziyin et al. 2020) with a learnable frequency per channel, as in DAC (Kumar et al. 2023).
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>x + 1/(α + 1e-9) · sin²(αx) with α [1, C, 1] initialised to 1. Input and output [B, C, T].</summary>
public sealed class Snake : nn.Module<Tensor, Tensor>
{
    // Keeps 1/α finite if training drives a channel's α to zero.
    const double Epsilon = 1e-9;

    readonly Parameter alpha;

    public Snake(long channels) : base(nameof(Snake))
    {
        alpha = new Parameter(ones(1, channels, 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var periodic = (alpha * input).sin().square();
        return (input + periodic / (alpha + Epsilon)).MoveToOuterDisposeScope();
    }
}
