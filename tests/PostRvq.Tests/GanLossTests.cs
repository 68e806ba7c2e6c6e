using PostRvq.Discriminators;
using PostRvq.Losses;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class GanLossTests
{
    static DiscriminatorOutput Output(float score, params float[][] features) =>
        new(full(2, 1, 3, score), features.Select(f => tensor(f)).ToList());

    [Fact]
    public void GeneratorLossIsZeroWhenTheDiscriminatorSaysReal()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0f, GanLoss.Generator([Output(1), Output(1)]).item<float>());
    }

    [Fact]
    public void GeneratorLossSumsMeanSquaredDistanceToOne()
    {
        using var scope = NewDisposeScope();
        var fake = new DiscriminatorOutput(tensor(new float[] { 0, 0.5f, 1, 1.5f }).reshape(1, 1, 4), []);
        // (1 + 0.25 + 0 + 0.25) / 4 = 0.375, plus 1 for an all-zero map.
        Assert.Equal(1.375f, GanLoss.Generator([fake, Output(0)]).item<float>(), 6);
    }

    [Fact]
    public void DiscriminatorLossIsZeroForAPerfectDiscriminatorAndTwoPerMapForAnInvertedOne()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0f, GanLoss.Discriminator([Output(1), Output(1)], [Output(0), Output(0)]).item<float>());
        Assert.Equal(4f, GanLoss.Discriminator([Output(0), Output(0)], [Output(1), Output(1)]).item<float>(), 6);
        Assert.Equal(0.5f, GanLoss.Discriminator([Output(0.5f)], [Output(0.5f)]).item<float>(), 6);
    }

    [Fact]
    public void MismatchedOutputCountsAreRejected()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => GanLoss.Discriminator([Output(1), Output(1)], [Output(0)]));
        Assert.Throws<ArgumentException>(() => FeatureMatchingLoss.Compute([Output(1, [1f])], [Output(1, [1f], [2f])]));
    }

    [Fact]
    public void FeatureMatchingIsZeroOnIdenticalFeaturesWhateverTheScores()
    {
        using var scope = NewDisposeScope();
        var real = Output(1, [1f, 2f], [3f]);
        var fake = Output(-5, [1f, 2f], [3f]);
        Assert.Equal(0f, FeatureMatchingLoss.Compute([real], [fake]).item<float>());
    }

    [Fact]
    public void FeatureMatchingSumsMeanAbsoluteDifferencesOverLayersAndDiscriminators()
    {
        using var scope = NewDisposeScope();
        var real = new[] { Output(1, [1f, 2f], [3f]), Output(1, [0f]) };
        var fake = new[] { Output(1, [1f, 4f], [2f]), Output(1, [-0.5f]) };
        // mean(|0|, |2|) = 1, |1| = 1, |0.5| = 0.5.
        Assert.Equal(2.5f, FeatureMatchingLoss.Compute(real, fake).item<float>(), 6);
    }

    [Fact]
    public void FeatureMatchingPullsOnlyTheFakeFeatures()
    {
        using var scope = NewDisposeScope();
        var realFeature = tensor(new float[] { 1, 2 }).requires_grad_();
        var fakeFeature = tensor(new float[] { 0, 3 }).requires_grad_();
        var real = new DiscriminatorOutput(ones(1), [realFeature]);
        var fake = new DiscriminatorOutput(ones(1), [fakeFeature]);
        FeatureMatchingLoss.Compute([real], [fake]).backward();
        Assert.Null(realFeature.grad);
        Assert.Equal(new float[] { -0.5f, 0.5f }, fakeFeature.grad!.data<float>().ToArray());
    }
}
