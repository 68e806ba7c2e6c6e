// LibTorch picks its CPU convolution kernels by layer shape, and its oneDNN kernels were wrong for some shapes only,
// so exactness is checked per configuration rather than assumed for all. The faults are intermittent (the same shape
// fails on some runs and not others, often with NaN input gradients), so a pass is evidence, not proof.
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Native;

/// <summary>
/// How far float32 <paramref name="Configuration"/>, run with the process's current LibTorch settings, is from float64
/// (which oneDNN never runs): the largest absolute errors of the output, the input gradient and the weight gradient,
/// each over the largest magnitude of its float64 value. <paramref name="RunOutChannels"/> is set when the layer ran with
/// zero filters up to that many outputs (<see cref="IZeroFilterPaddable"/>).
/// </summary>
public sealed record ConvExactness(ConvConfiguration Configuration, double OutputError, double InputGradientError, double WeightGradientError,
    long? RunOutChannels = null)
{
    /// <summary>Largest relative error counted as exact: float32 rounding stays near 1e-6; the oneDNN faults were far larger or NaN.</summary>
    public const double Tolerance = 1e-4;

    // LibTorch sends every float32 conv with a batch of 16 or more to oneDNN when it is on, whatever the thread count or kernel.
    const int Batch = 16;
    // Output positions per spatial axis: enough for every tap of a kernel to meet both edges and the interior.
    const int OutputPositions = 12;

    /// <summary>False if any error exceeds <see cref="Tolerance"/> or is NaN.</summary>
    public bool Exact => new[] { OutputError, InputGradientError, WeightGradientError }.All(error => error <= Tolerance);

    /// <summary>
    /// The worst errors of <paramref name="trials"/> <see cref="Trial"/>s with seeds 0, 1, ...; NaN if any trial gave NaN.
    /// With <paramref name="runOutChannels"/>, a plain convolution runs with zero filters up to that many outputs, as a padded layer does.
    /// With <paramref name="untilInexact"/>, the trials stop at the first inexact one, which settles the verdict.
    /// </summary>
    public static ConvExactness Measure(ConvConfiguration configuration, int trials = 3, long? runOutChannels = null, bool untilInexact = false)
    {
        var worst = new List<ConvExactness>();
        for (var seed = 0; seed < trials && !(untilInexact && worst.Count > 0 && !worst[^1].Exact); seed++)
            worst.Add(Trial(configuration, seed, runOutChannels));
        return new ConvExactness(configuration, Worst(worst.Select(t => t.OutputError)), Worst(worst.Select(t => t.InputGradientError)),
            Worst(worst.Select(t => t.WeightGradientError)), runOutChannels);
    }

    /// <summary>
    /// Runs a random input [16, C_in, L...] (L giving 12 output positions, plus a remainder the stride drops) through
    /// <paramref name="configuration"/> in float32 and float64 and back-propagates the same random upstream gradient.
    /// </summary>
    public static ConvExactness Trial(ConvConfiguration configuration, int seed, long? runOutChannels = null)
    {
        if (runOutChannels is not null && (configuration.Transposed || configuration.Groups != 1))
            throw new ArgumentException($"{configuration}: only plain convolutions without groups run with zero filters.", nameof(runOutChannels));
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var inputShape = new[] { Batch, configuration.InChannels }.Concat(Enumerable.Range(0, configuration.Dimensions).Select(axis => InputLength(configuration, axis))).ToArray();
        var input = randn(inputShape, float64, generator: generator);
        var weight = randn(configuration.WeightShape, float64, generator: generator) / Math.Sqrt(configuration.MultiplyAddsPerElement);
        var bias = randn([configuration.OutChannels], float64, generator: generator);
        long[] outputShape;
        using (no_grad()) outputShape = Forward(configuration, input, weight, bias).shape;
        var upstream = randn(outputShape, float64, generator: generator);
        // The float64 reference never runs oneDNN, so it needs no padding.
        var (output64, inputGradient64, weightGradient64) = Run(configuration, input, weight, bias, upstream);
        var (output32, inputGradient32, weightGradient32) = Run(configuration, input.to(float32), weight.to(float32), bias.to(float32), upstream.to(float32), runOutChannels);
        return new ConvExactness(configuration,
            RelativeError(output32, output64), RelativeError(inputGradient32, inputGradient64), RelativeError(weightGradient32, weightGradient64),
            runOutChannels);
    }

    // Plain: the length whose output has OutputPositions entries, plus stride − 1 samples the stride drops; transposed: OutputPositions inputs.
    static long InputLength(ConvConfiguration c, int axis) => c.Transposed
        ? OutputPositions
        : Math.Max(1, c.Stride[axis] * (OutputPositions - 1) + c.Dilation[axis] * (c.Kernel[axis] - 1) + 1 - 2 * c.Padding[axis]) + c.Stride[axis] - 1;

    /// <summary>Output, input gradient and weight gradient of one pass, back-propagating <paramref name="upstream"/>.</summary>
    static (Tensor Output, Tensor InputGradient, Tensor WeightGradient) Run(ConvConfiguration c, Tensor input, Tensor weight, Tensor bias, Tensor upstream,
        long? runOutChannels = null)
    {
        var x = input.detach().requires_grad_(true);
        var w = weight.detach().requires_grad_(true);
        var y = runOutChannels is { } run
            ? ZeroFilterPadding.Run(x, w, bias, run, (paddedWeight, paddedBias) => Forward(c, x, paddedWeight, paddedBias))
            : Forward(c, x, w, bias);
        (y * upstream).sum().backward();
        return (y.detach(), x.grad!, w.grad!);
    }

    static Tensor Forward(ConvConfiguration c, Tensor x, Tensor w, Tensor bias)
    {
        var s = c.Stride.ToArray();
        var p = c.Padding.ToArray();
        var d = c.Dilation.ToArray();
        var op = c.OutputPadding.ToArray();
        return (c.Dimensions, c.Transposed) switch
        {
            (1, false) => nn.functional.conv1d(x, w, bias, s[0], p[0], d[0], c.Groups),
            (1, true) => nn.functional.conv_transpose1d(x, w, bias, s[0], p[0], op[0], d[0], c.Groups),
            (2, false) => nn.functional.conv2d(x, w, bias, s, p, d, c.Groups),
            (2, true) => nn.functional.conv_transpose2d(x, w, bias, s, p, op, d, c.Groups),
            _ => throw new NotSupportedException($"{c}: only 1-D and 2-D convolutions are checked."),
        };
    }

    static double Worst(IEnumerable<double> errors) => errors.Aggregate(Math.Max);

    /// <summary>The largest absolute error of <paramref name="value"/> over the largest magnitude of <paramref name="reference"/>, in float64.</summary>
    internal static double RelativeError(Tensor value, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var exact = reference.to(float64);
        var error = (value.to(float64) - exact).abs().max().item<double>();
        return error / Math.Max(exact.abs().max().item<double>(), double.Epsilon);
    }
}
