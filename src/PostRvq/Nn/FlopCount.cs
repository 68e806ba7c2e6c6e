// Floating-point work of a forward pass, counted from the shapes each layer sees rather than timed, so achieved
// GFLOP/s can be set against the machine's sgemm rate.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>FLOPs (2 × multiply-adds) of one forward pass, by layer family.</summary>
/// <param name="Convolution">Conv1d, ConvTranspose1d and Conv2d, TorchSharp's and the weight-normalised ones.</param>
/// <param name="Linear">Linear layers.</param>
/// <param name="Mdct">The MDCT's and inverse MDCT's basis products inside <see cref="MdctEncoder"/> and <see cref="MdctDecoder"/>.</param>
public sealed record ForwardFlops(double Convolution, double Linear, double Mdct)
{
    public static readonly ForwardFlops Zero = new(0, 0, 0);

    public double Total => Convolution + Linear + Mdct;

    public static ForwardFlops operator +(ForwardFlops a, ForwardFlops b) => new(a.Convolution + b.Convolution, a.Linear + b.Linear, a.Mdct + b.Mdct);

    public static ForwardFlops operator *(double factor, ForwardFlops a) => new(factor * a.Convolution, factor * a.Linear, factor * a.Mdct);
}

/// <summary>
/// Counts <see cref="ForwardFlops"/> with forward hooks that read the input and output shapes of every counted layer:
/// <list type="bullet">
/// <item>plain conv, output [B, C_out, L_out...]: numel(output) · C_in / groups · ∏k multiply-adds;</item>
/// <item>transposed conv, input [B, C_in, L_in...]: numel(input) · C_out / groups · ∏k;</item>
/// <item>Linear, output [..., out]: numel(output) · in_features;</item>
/// <item>MDCT half, audio [B, 1, F·N] on one side and latent [B, D, F] on the other: B · (F + 1) · 2N · N, the product
/// of F + 1 frames with the [2N, N] basis.</item>
/// </list>
/// Not counted: biases, normalisations, activations, weight norm, STFTs and losses, which are small beside these.
/// </summary>
public static class FlopCount
{
    /// <summary>Runs <paramref name="forward"/> under no_grad with hooks on every counted layer of <paramref name="root"/>.</summary>
    /// <param name="root">The module whose layers are counted; calls into layers outside it are not.</param>
    /// <param name="forward">One forward pass, e.g. <c>() => model.forward(audio)</c>; its outputs are disposed.</param>
    public static ForwardFlops Count(nn.Module root, Action forward)
    {
        var total = ForwardFlops.Zero;
        var hooks = root.modules().Prepend(root).OfType<nn.Module<Tensor, Tensor>>()
            .Select(module => module.register_forward_hook((layer, input, output) =>
            {
                total += Of(layer, input, output);
                return output;
            }))
            .ToList();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            forward();
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
        }
        return total;
    }

    /// <summary>The FLOPs of one call of <paramref name="layer"/> on <paramref name="input"/>; zero for layers not counted.</summary>
    public static ForwardFlops Of(nn.Module layer, Tensor input, Tensor output)
    {
        if (ConvConfiguration.From(layer) is { } conv)
            return ForwardFlops.Zero with { Convolution = 2.0 * (conv.Transposed ? input : output).numel() * conv.MultiplyAddsPerElement };
        return layer switch
        {
            Linear linear => ForwardFlops.Zero with { Linear = 2.0 * output.numel() * linear.in_features },
            MdctEncoder => ForwardFlops.Zero with { Mdct = MdctFlops(audio: input, latent: output) },
            MdctDecoder => ForwardFlops.Zero with { Mdct = MdctFlops(audio: output, latent: input) },
            _ => ForwardFlops.Zero,
        };
    }

    // N = samples per latent frame; the transform sees F + 1 frames of 2N samples.
    static double MdctFlops(Tensor audio, Tensor latent)
    {
        long batch = latent.shape[0], frames = latent.shape[^1];
        var hop = audio.shape[^1] / frames;
        return 2.0 * batch * (frames + 1) * 2 * hop * hop;
    }
}
