using PostRvq.Native;
using static TorchSharp.torch;

namespace PostRvq.Tests;

/// <summary>
/// The float32 gradients of the convolutions the autoencoder uses agree with a float64 computation. Serial, so that no
/// trainer in a parallel test switches the process-wide oneDNN flag back on between the check's passes.
/// </summary>
[Collection(SerialCollection.Name)]
public class ExactConvolutionTests
{
    [Theory]
    [InlineData(2, 4, false)]
    [InlineData(5, 10, false)]
    [InlineData(8, 16, false)]
    [InlineData(4, 8, true)]
    [InlineData(8, 16, true)]
    [InlineData(1, 2, false)]
    public void Float32GradientsMatchFloat64(int stride, int kernel, bool transposed)
    {
        LibTorchCpu.UseExactConvolutions();
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(42);
        var input = randn(new long[] { 3, 16, 203 }, generator: generator);
        var weight = transposed ? randn(new long[] { 16, 8, kernel }, generator: generator) * 0.1 : randn(new long[] { 8, 16, kernel }, generator: generator) * 0.1;
        var upstream = Run(input, weight, stride, transposed, ScalarType.Float64, out _).randn_like();

        Run(input, weight, stride, transposed, ScalarType.Float32, out var grads32, upstream);
        Run(input, weight, stride, transposed, ScalarType.Float64, out var grads64, upstream);
        for (var i = 0; i < 2; i++)
        {
            var error = (grads32[i].to(ScalarType.Float64) - grads64[i]).abs().max().item<double>();
            var scale = grads64[i].abs().max().item<double>();
            Assert.True(error <= 1e-4 * scale + 1e-6, $"gradient {i}: error {error} against scale {scale}");
        }
    }

    static Tensor Run(Tensor input, Tensor weight, int stride, bool transposed, ScalarType type, out Tensor[] grads, Tensor? upstream = null)
    {
        var x = input.to(type).detach().requires_grad_(true);
        var w = weight.to(type).detach().requires_grad_(true);
        var y = transposed
            ? nn.functional.conv_transpose1d(x, w, stride: stride, padding: (stride + 1) / 2)
            : nn.functional.conv1d(x, w, stride: stride, padding: (stride + 1) / 2);
        (y * (upstream ?? ones_like(y)).to(type)).sum().backward();
        grads = new[] { x.grad!, w.grad! };
        return y;
    }
}
