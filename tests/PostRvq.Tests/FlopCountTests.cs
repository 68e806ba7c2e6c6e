using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Tests;

/// <summary>FLOPs counted from layer shapes agree with the arithmetic done by hand.</summary>
public class FlopCountTests
{
    [Fact]
    public void ConvTransposedConvAndLinearMatchHandArithmetic()
    {
        // Conv1d 3→4, k5, s2, p1 on [2, 3, 20]: L_out = ⌊(20 + 2 − 4 − 1) / 2⌋ + 1 = 9, so 2·4·9 outputs × 3·5 = 1080 multiply-adds.
        using var conv = nn.Conv1d(3, 4, 5, stride: 2, padding: 1);
        // ConvTranspose1d 4→6, k4, s2, groups 2 on [2, 4, 9]: 2·4·9 inputs × (6 / 2)·4 = 864.
        using var transposed = nn.ConvTranspose1d(4, 6, 4, stride: 2, groups: 2);
        // Linear 6→7 on [2, 20, 6] (L_out = (9 − 1)·2 + 4 = 20): 2·20·7 outputs × 6 = 1680.
        using var linear = nn.Linear(6, 7);
        using var model = nn.Sequential(("conv", conv), ("transposed", transposed));
        using var input = randn(2, 3, 20);

        var flops = FlopCount.Count(model, () => linear.call(model.call(input).transpose(1, 2)));
        Assert.Equal(2.0 * (1080 + 864), flops.Convolution);
        Assert.Equal(0, flops.Linear);

        var withLinear = FlopCount.Count(linear, () => linear.call(randn(2, 20, 6)));
        Assert.Equal(new ForwardFlops(0, 2.0 * 1680, 0), withLinear);
    }

    [Fact]
    public void WeightNormConv2dAndMdctHalvesMatchHandArithmetic()
    {
        // Conv2d 2→3, k(3, 1), s(2, 1), p(1, 0) on [1, 2, 9, 4]: H_out = ⌊(9 + 2 − 3) / 2⌋ + 1 = 5, so 3·5·4 outputs × 2·3 = 360.
        using var conv = new WeightNormConv2d(2, 3, kernelSize: (3, 1), stride: (2, 1), padding: (1, 0));
        Assert.Equal(2.0 * 360, FlopCount.Count(conv, () => conv.call(randn(1, 2, 9, 4))).Convolution);

        // MDCT of hop 4 on [1, 1, 12]: 12 / 4 + 1 = 4 frames of 8 samples times the [8, 4] basis = 128 multiply-adds each way.
        var options = new AutoencoderOptions { Kind = ModelKinds.Mdct, MdctHop = 4, LatentDim = 2, FrameChannels = 4, FrameHidden = 4, EncoderBlocks = 0, DecoderBlocks = 0 };
        using var model = Autoencoder.Create(options);
        var flops = FlopCount.Count(model, () => model.forward(randn(1, 1, 12)));
        Assert.Equal(2.0 * 2 * 128, flops.Mdct);
    }
}
