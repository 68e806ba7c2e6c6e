using PostRvq.Discriminators;
using PostRvq.Losses;
using PostRvq.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace PostRvq.Tests;

/// <summary>
/// Serial: a trainer in a parallel test switches LibTorch's process-wide oneDNN flag, and a switch between two passes
/// that must agree gives the narrow layers oneDNN's wrong gradients in one of them.
/// </summary>
[Collection(SerialCollection.Name)]
public class DiscriminatorTests
{
    static readonly DiscriminatorOptions Tiny = new()
    {
        Periods = [2, 3, 5],
        PeriodChannels = [4, 8],
        StftWindows = [128, 64],
        Channels = 4,
    };

    [Theory]
    [InlineData(1000)]
    [InlineData(1003)]
    public void GivesOneFiniteScorePerSubDiscriminator(int length)
    {
        using var discriminator = Discriminator.Create(Tiny, sampleRate: 24000);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var outputs = discriminator.call(randn(2, 1, length) * 0.1);
        Assert.Equal(Tiny.Periods.Length + Tiny.StftWindows.Length, outputs.Count);
        Assert.All(outputs, o => Assert.True(o.Score.isfinite().all().item<bool>()));
        Assert.All(outputs, o => Assert.Equal(2, o.Score.shape[0]));
        for (var i = 0; i < Tiny.Periods.Length; i++)
        {
            Assert.Equal(Tiny.Periods[i], outputs[i].Score.shape[^1]);
            Assert.Equal(Tiny.PeriodChannels.Length + 1, outputs[i].Features.Count);
        }
        for (var i = 0; i < Tiny.StftWindows.Length; i++)
        {
            var output = outputs[Tiny.Periods.Length + i];
            Assert.Equal(1 + length / (Tiny.StftWindows[i] / 4), output.Score.shape[2]);
            Assert.Equal(5 * 5, output.Features.Count);
        }
    }

    [Fact]
    public void GradientReachesEveryParameterAndTheAudio()
    {
        // float64 keeps LibTorch off its oneDNN conv backward, whose float32 gradients are wrong (NaN) on this build.
        using var discriminator = Discriminator.Create(Tiny, sampleRate: 24000);
        discriminator.to(float64);
        using var scope = NewDisposeScope();
        var real = randn(2, 1, 900, dtype: float64) * 0.1;
        var fake = (randn(2, 1, 900, dtype: float64) * 0.1).requires_grad_();
        GanLoss.Discriminator(discriminator.call(real), discriminator.call(fake.detach())).backward();
        foreach (var (name, parameter) in discriminator.named_parameters())
        {
            var grad = parameter.grad;
            Assert.True(grad is not null, $"{name} has no gradient");
            Assert.True(grad.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
            Assert.True(grad.abs().sum().item<double>() > 0, $"{name} has an all-zero gradient");
        }
        Assert.Null(fake.grad);

        GanLoss.Generator(discriminator.call(fake)).backward();
        Assert.True(fake.grad!.abs().sum().item<double>() > 0);
    }

    [Fact]
    public void JudgingRealAndFakeTogetherGivesTheTwoPassesOutputsAndGradients()
    {
        // ATen's exact kernels, whatever an earlier test left: the comparison is of the two passes, not of oneDNN.
        LibTorchCpu.UseExactConvolutions();
        manual_seed(4);
        using var discriminator = Discriminator.Create(Tiny, sampleRate: 24000);
        using var scope = NewDisposeScope();
        var real = randn(3, 1, 1003) * 0.1;
        var fake = randn(3, 1, 1003) * 0.1;

        var (separateLoss, separateGradients, separateOutputs) = LossAndGradients(() => (discriminator.call(real), discriminator.call(fake)));
        var (togetherLoss, togetherGradients, togetherOutputs) = LossAndGradients(() => discriminator.JudgeTogether(real, fake));

        Assert.Equal(separateLoss, togetherLoss, 1e-5);
        foreach (var (separate, together) in separateOutputs.Zip(togetherOutputs))
        {
            Assert.Equal(separate.Score.shape, together.Score.shape);
            Assert.True(separate.Score.allclose(together.Score, rtol: 1e-4, atol: 1e-6));
            Assert.All(separate.Features.Zip(together.Features), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 1e-4, atol: 1e-6)));
        }
        Assert.All(separateGradients.Zip(togetherGradients), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 1e-4, atol: 1e-6)));
        Assert.Throws<ArgumentException>(() => discriminator.JudgeTogether(real, fake.narrow(-1, 0, 1000)));

        (double Loss, List<Tensor> Gradients, List<DiscriminatorOutput> Outputs) LossAndGradients(
            Func<(IReadOnlyList<DiscriminatorOutput> Real, IReadOnlyList<DiscriminatorOutput> Fake)> judge)
        {
            discriminator.zero_grad();
            var (realOutputs, fakeOutputs) = judge();
            var loss = GanLoss.Discriminator(realOutputs, fakeOutputs);
            loss.backward();
            return (loss.item<float>(), discriminator.parameters().Select(p => p.grad!.clone()).ToList(), realOutputs.Concat(fakeOutputs).ToList());
        }
    }

    [Fact]
    public void DefaultsAreDacs()
    {
        var options = new DiscriminatorOptions();
        Assert.Equal(new[] { 2, 3, 5, 7, 11 }, options.Periods);
        Assert.Equal(new[] { 2048, 1024, 512 }, options.StftWindows);
        Assert.Equal(new[] { 0.0, 0.1, 0.25, 0.5, 0.75, 1.0 }, options.BandEdges);
    }

    [Fact]
    public void AWindowTooShortForTheBandsIsRejected()
    {
        var options = Tiny with { StftWindows = [8] };
        Assert.Throws<ArgumentException>(() => Discriminator.Create(options, 24000));
    }

    [Theory]
    [InlineData(nameof(DiscriminatorOptions.Periods))]
    [InlineData(nameof(DiscriminatorOptions.PeriodChannels))]
    [InlineData(nameof(DiscriminatorOptions.StftWindows))]
    [InlineData(nameof(DiscriminatorOptions.BandEdges))]
    [InlineData(nameof(DiscriminatorOptions.Channels))]
    public void InvalidOptionsNameTheOption(string option)
    {
        var options = option switch
        {
            nameof(DiscriminatorOptions.Periods) => Tiny with { Periods = [] },
            nameof(DiscriminatorOptions.PeriodChannels) => Tiny with { PeriodChannels = [4, 0] },
            nameof(DiscriminatorOptions.StftWindows) => Tiny with { StftWindows = [1] },
            nameof(DiscriminatorOptions.BandEdges) => Tiny with { BandEdges = [0.0, 0.5, 0.4, 1.0] },
            _ => Tiny with { Channels = 0 },
        };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(option, error.ParamName);
    }
}
