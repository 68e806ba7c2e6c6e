using PostRvq.Losses;
using PostRvq.Metrics;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class SpectralLossTests
{
    const int SampleRate = 16000;

    static (Tensor Reference, Tensor Estimate) Pair()
    {
        var generator = new TorchSharp.torch.Generator(11);
        var reference = randn(2, 1, 4000, generator: generator) * 0.1;
        return (reference, reference * 0.7 + randn(2, 1, 4000, generator: generator) * 0.01);
    }

    [Fact]
    public void MelLossEqualsTheBatchMeanOfMelDistance()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair();
        var loss = new MultiScaleMelLoss(SampleRate).Forward(estimate, reference).item<float>();
        var metric = MelDistance.Compute(reference, estimate, SampleRate).mean().item<double>();
        Assert.True(Math.Abs(loss - metric) <= 1e-3 * metric, $"loss {loss}, metric {metric}");
    }

    [Fact]
    public void StftLossAtTheMetricSizesEqualsTheBatchMeanOfStftDistance()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair();
        var loss = new MultiResolutionStftLoss(StftDistance.FftSizes).Forward(estimate, reference).item<float>();
        var metric = StftDistance.Compute(reference, estimate).mean().item<double>();
        Assert.True(Math.Abs(loss - metric) <= 1e-3 * metric, $"loss {loss}, metric {metric}");
    }

    [Fact]
    public void LossesAreZeroOnIdenticalInputsAndPositiveOtherwise()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair();
        var mel = new MultiScaleMelLoss(SampleRate);
        var stft = new MultiResolutionStftLoss();
        Assert.Equal(0f, mel.Forward(reference, reference).item<float>());
        Assert.Equal(0f, stft.Forward(reference, reference).item<float>());
        Assert.True(mel.Forward(estimate, reference).item<float>() > 0f);
        Assert.True(stft.Forward(estimate, reference).item<float>() > 0f);
    }

    [Fact]
    public void SharedTransformsGiveTheSameLossesAndGradientsAsSeparateOnes()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair();
        var mel = new MultiScaleMelLoss(SampleRate);
        var stft = new MultiResolutionStftLoss();
        var separate = estimate.detach().requires_grad_();
        var separateTotal = mel.Forward(separate, reference) * 15 + stft.Forward(separate, reference);
        separateTotal.backward();
        var shared = estimate.detach().requires_grad_();
        var (sharedMel, sharedStft) = new MelAndStftLoss(SampleRate).Forward(shared, reference);
        var sharedTotal = sharedMel * 15 + sharedStft;
        sharedTotal.backward();
        Assert.Equal(separateTotal.item<float>(), sharedTotal.item<float>(), 1e-6f);
        // Only float32 summation order differs: the estimate's gradient now arrives through one transform, not two.
        var difference = (shared.grad! - separate.grad!).abs().max().item<float>() / separate.grad!.abs().max().item<float>();
        Assert.True(difference < 1e-5f, $"shared transforms changed the gradient by {difference:E2} of its largest entry");
    }

    [Fact]
    public void GradientsAreFiniteAndNonZero()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair();
        var input = estimate.detach().requires_grad_();
        (new MultiScaleMelLoss(SampleRate).Forward(input, reference) + new MultiResolutionStftLoss().Forward(input, reference)).backward();
        Assert.NotNull(input.grad);
        Assert.True(input.grad.isfinite().all().item<bool>());
        Assert.True(input.grad.abs().sum().item<float>() > 0f);
    }

    [Fact]
    public void GradientsAreFiniteOnSilence()
    {
        using var scope = NewDisposeScope();
        var (reference, _) = Pair();
        foreach (var target in new[] { zeros(2, 1, 4000), reference })
        {
            var input = zeros(2, 1, 4000, requires_grad: true);
            (new MultiScaleMelLoss(SampleRate).Forward(input, target) + new MultiResolutionStftLoss().Forward(input, target)).backward();
            Assert.NotNull(input.grad);
            Assert.True(input.grad.isfinite().all().item<bool>());
        }
    }

    [Fact]
    public void ForwardLeavesOnlyTheLossTensor()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair();
        var stats = TorchSharp.DisposeScopeManager.Statistics;
        var before = stats.ThreadTotalLiveCount;
        using (new MultiScaleMelLoss(SampleRate).Forward(estimate, reference))
        using (new MultiResolutionStftLoss().Forward(estimate, reference))
            Assert.Equal(before + 2, stats.ThreadTotalLiveCount);
        Assert.Equal(before, stats.ThreadTotalLiveCount);
    }

    [Fact]
    public void CustomScalesAreUsed()
    {
        using var scope = NewDisposeScope();
        var (reference, estimate) = Pair();
        var one = new MultiScaleMelLoss(SampleRate, [(512, 80)]).Forward(estimate, reference).item<float>();
        var two = new MultiScaleMelLoss(SampleRate, [(512, 80), (512, 80)]).Forward(estimate, reference).item<float>();
        Assert.Equal(2 * one, two, 4);
    }
}
