// What the FLOP count and the oneDNN exactness check need to know about a convolution layer, without its weights.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Nn;

/// <summary>
/// The shape of one 1-D or 2-D convolution (<see cref="Kernel"/> has one entry per spatial axis), plain or transposed.
/// Its weight is [OutChannels, InChannels / Groups, k...] when plain and [InChannels, OutChannels / Groups, k...] when
/// transposed. Equal configurations run the same LibTorch kernels, so equality compares the lists by value.
/// Not handled: "same"/"valid" padding strings and padding modes other than zeros (no layer of the project uses them).
/// </summary>
public sealed record ConvConfiguration(
    bool Transposed, long InChannels, long OutChannels, long Groups,
    IReadOnlyList<long> Kernel, IReadOnlyList<long> Stride, IReadOnlyList<long> Padding, IReadOnlyList<long> Dilation,
    IReadOnlyList<long> OutputPadding)
{
    /// <summary>Spatial axes: 1 for Conv1d and ConvTranspose1d, 2 for Conv2d.</summary>
    public int Dimensions => Kernel.Count;

    /// <summary>[out, in / groups, k...] when plain, [in, out / groups, k...] when transposed.</summary>
    public long[] WeightShape => (Transposed ? new[] { InChannels, OutChannels / Groups } : new[] { OutChannels, InChannels / Groups })
        .Concat(Kernel).ToArray();

    /// <summary>Weights each output (plain) or input (transposed) element meets: channels per group × kernel size.</summary>
    public long MultiplyAddsPerElement => (Transposed ? OutChannels : InChannels) / Groups * Kernel.Aggregate(1L, (product, k) => product * k);

    /// <summary>Every distinct configuration among <paramref name="module"/> and its descendants, in module order.</summary>
    public static IReadOnlyList<ConvConfiguration> Of(nn.Module module) =>
        module.modules().Prepend(module).Select(From).OfType<ConvConfiguration>().Distinct().ToList();

    /// <summary>The configuration of a TorchSharp or weight-normalised convolution; null for any other module.</summary>
    public static ConvConfiguration? From(nn.Module module) => module switch
    {
        WeightNormConv1d conv => conv.Configuration,
        WeightNormConvTranspose1d conv => conv.Configuration,
        WeightNormConv2d conv => conv.Configuration,
        Convolution conv when conv.padding_type is not null =>
            throw new NotSupportedException($"{conv.GetName()}: padding given as '{conv.padding_type}' is not handled."),
        Convolution conv => new(conv.transposed, conv.in_channels, conv.out_channels, conv.groups, conv.kernel_size, conv.stride,
            conv.padding!, conv.dilation, conv.output_padding ?? new long[conv.kernel_size.Length]),
        _ => null,
    };

    /// <summary>A 1-D configuration with no groups.</summary>
    internal static ConvConfiguration OneDimensional(bool transposed, long inChannels, long outChannels, long kernel, long stride,
        long padding, long dilation = 1, long outputPadding = 0) =>
        new(transposed, inChannels, outChannels, 1, [kernel], [stride], [padding], [dilation], [outputPadding]);

    public bool Equals(ConvConfiguration? other) =>
        other is not null && (Transposed, InChannels, OutChannels, Groups) == (other.Transposed, other.InChannels, other.OutChannels, other.Groups)
        && Kernel.SequenceEqual(other.Kernel) && Stride.SequenceEqual(other.Stride) && Padding.SequenceEqual(other.Padding)
        && Dilation.SequenceEqual(other.Dilation) && OutputPadding.SequenceEqual(other.OutputPadding);

    public override int GetHashCode() => HashCode.Combine(Transposed, InChannels, OutChannels, Groups, ToString());

    /// <summary>E.g. <c>Conv1d 256→256 k7 s1 p3 g256</c>; dilation and output padding only when not 1 and 0.</summary>
    public override string ToString()
    {
        static string Axes(IReadOnlyList<long> values) => string.Join("×", values);
        var name = (Transposed ? "ConvTranspose" : "Conv") + Dimensions + "d";
        var text = $"{name} {InChannels}→{OutChannels} k{Axes(Kernel)} s{Axes(Stride)} p{Axes(Padding)}";
        if (Dilation.Any(d => d != 1)) text += $" d{Axes(Dilation)}";
        if (OutputPadding.Any(p => p != 0)) text += $" op{Axes(OutputPadding)}";
        if (Groups != 1) text += $" g{Groups}";
        return text;
    }
}
