using PostRvq.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class LayerTests
{
    static void SetParameter(nn.Module module, string name, Tensor value)
    {
        using var noGrad = no_grad();
        module.get_parameter(name)!.copy_(value);
    }

    [Fact]
    public void Conv1dWeightHasNormGPerOutputChannel()
    {
        using var conv = new WeightNormConv1d(3, 5, kernelSize: 4);
        using var g = tensor(new float[] { 0.5f, 1, 2, 3, 4 }).reshape(5, 1, 1);
        SetParameter(conv, "weight_g", g);
        using var weight = conv.Weight();
        using var norms = weight.square().sum([1, 2]).sqrt();
        Assert.Equal(new float[] { 0.5f, 1, 2, 3, 4 }, norms.data<float>().ToArray(), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void Conv2dAndTransposedConvNormaliseTheLeadingDim()
    {
        using var conv2d = new WeightNormConv2d(2, 3, (3, 5), (1, 1), (0, 0));
        SetParameter(conv2d, "weight_g", full(3, 1, 1, 1, 2.5f));
        using var weight2d = conv2d.Weight();
        Assert.All(weight2d.square().sum([1, 2, 3]).sqrt().data<float>().ToArray(), n => Assert.Equal(2.5f, n, 4));

        using var transposed = new WeightNormConvTranspose1d(4, 2, kernelSize: 6, stride: 3);
        Assert.Equal(new long[] { 4, 1, 1 }, transposed.get_parameter("weight_g")!.shape);
        SetParameter(transposed, "weight_g", full(4, 1, 1, 0.75f));
        using var weightT = transposed.Weight();
        Assert.All(weightT.square().sum([1, 2]).sqrt().data<float>().ToArray(), n => Assert.Equal(0.75f, n, 4));
    }

    [Fact]
    public void WeightNormConvMatchesAPlainConvWithTheEffectiveWeight()
    {
        using var conv = new WeightNormConv1d(2, 3, kernelSize: 5, stride: 2, padding: 2, dilation: 1);
        using var input = randn(1, 2, 17);
        using var weight = conv.Weight();
        using var expected = nn.functional.conv1d(input, weight, conv.get_parameter("bias"), stride: 2, padding: 2);
        using var actual = conv.call(input);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void GradientOfGMatchesFiniteDifferences()
    {
        using var conv = new WeightNormConv1d(2, 2, kernelSize: 3);
        conv.to(float64);
        using var input = randn(1, 2, 9, dtype: float64);
        using var target = randn(1, 2, 7, dtype: float64);
        double Loss() { using var y = conv.call(input); using var l = (y - target).square().sum(); return l.item<double>(); }

        using (var loss = (conv.call(input) - target).square().sum()) loss.backward();
        var g = conv.get_parameter("weight_g")!;
        var analytic = g.grad!.data<double>().ToArray();
        const double h = 1e-6;
        for (var channel = 0; channel < 2; channel++)
        {
            using (no_grad()) g[channel, 0, 0].add_(h);
            var up = Loss();
            using (no_grad()) g[channel, 0, 0].sub_(2 * h);
            var down = Loss();
            using (no_grad()) g[channel, 0, 0].add_(h);
            Assert.Equal((up - down) / (2 * h), analytic[channel], 5);
        }
    }

    [Fact]
    public void SnakeMatchesItsFormula()
    {
        using var snake = new Snake(2);
        SetParameter(snake, "alpha", tensor(new float[] { 0.5f, 2f }).reshape(1, 2, 1));
        var values = new float[] { -1.5f, 0f, 0.3f, 2f };
        using var input = tensor(values.Concat(values).ToArray()).reshape(1, 2, 4);
        using var output = snake.call(input);
        var actual = output.data<float>().ToArray();
        var alphas = new[] { 0.5, 2.0 };
        for (var c = 0; c < 2; c++)
            for (var t = 0; t < 4; t++)
            {
                var x = (double)values[t];
                var expected = x + 1 / (alphas[c] + 1e-9) * Math.Pow(Math.Sin(alphas[c] * x), 2);
                Assert.Equal(expected, actual[c * 4 + t], 5);
            }
    }

    [Fact]
    public void SnakeAlphaStartsAtOne()
    {
        using var snake = new Snake(3);
        Assert.Equal(new long[] { 1, 3, 1 }, snake.get_parameter("alpha")!.shape);
        Assert.All(snake.get_parameter("alpha")!.data<float>().ToArray(), a => Assert.Equal(1f, a));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    public void BlocksResampleByExactlyTheirStride(int stride)
    {
        using var encoderBlock = new EncoderBlock(2, stride, [1, 3], residualKernel: 7);
        using var decoderBlock = new DecoderBlock(4, 2, stride, [1, 3], residualKernel: 7);
        using var noGrad = no_grad();
        foreach (var frames in new[] { 1, 2, 5 })
        {
            using var scope = NewDisposeScope();
            Assert.Equal(new long[] { 1, 4, frames }, encoderBlock.call(randn(1, 2, frames * stride)).shape);
            Assert.Equal(new long[] { 1, 2, frames * stride }, decoderBlock.call(randn(1, 4, frames)).shape);
        }
    }

    [Fact]
    public void ResidualUnitKeepsTheShape()
    {
        using var unit = new ResidualUnit(3, dilation: 9);
        using var input = randn(2, 3, 11);
        using var output = unit.call(input);
        Assert.Equal(input.shape, output.shape);
    }

    sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
