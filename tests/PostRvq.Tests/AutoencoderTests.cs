using System.Text.Json;
using PostRvq.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace PostRvq.Tests;

public class AutoencoderTests
{
    // DecoderDim 32 ends at 2 channels: a 1-channel 1×1 weight-normalised conv would have w = g·sign(v) and no v gradient.
    static AutoencoderOptions Tiny(int[] strides) =>
        new() { EncoderDim = 4, DecoderDim = 32, LatentDim = 8, EncoderStrides = strides };

    [Theory]
    [InlineData(new[] { 2, 4, 5, 8 })]
    [InlineData(new[] { 2, 4, 8, 8 })]
    public void EveryLengthRoundTripsThroughTheLatent(int[] strides) => AssertEveryLengthRoundTrips(Tiny(strides));

    /// <summary>Any length T gives ⌈T / hop⌉ latent frames, whole frames back from the decoder, and T from the model.</summary>
    internal static void AssertEveryLengthRoundTrips(AutoencoderOptions options)
    {
        using var model = Autoencoder.Create(options);
        var hop = options.HopLength;
        using var noGrad = no_grad();
        foreach (var length in new[] { 1, 7, hop - 1, hop, hop + 1, 2 * hop + 7, 3 * hop - 3 })
        {
            using var scope = NewDisposeScope();
            var audio = randn(2, 1, length) * 0.1;
            var latent = model.Encode(audio);
            var frames = (length + hop - 1) / hop;
            Assert.Equal(new long[] { 2, options.LatentDim, frames }, latent.shape);
            Assert.Equal(new long[] { 2, 1, frames * hop }, model.Decode(latent).shape);
            Assert.Equal(new long[] { 2, 1, length }, model.call(audio).shape);
        }
    }

    [Fact]
    public void GradientReachesEveryParameter()
    {
        // float64 keeps LibTorch off its oneDNN conv backward, whose float32 gradients are wrong on this build.
        using var model = Autoencoder.Create(Tiny([2, 4, 5, 8]));
        model.to(float64);
        AssertGradientReachesEveryParameter(model, 700);
    }

    /// <summary>An L1 reconstruction loss on float64 noise of <paramref name="length"/> samples gives every parameter a finite, non-zero gradient.</summary>
    internal static void AssertGradientReachesEveryParameter(Autoencoder model, int length)
    {
        using var scope = NewDisposeScope();
        var audio = randn(2, 1, length, dtype: float64) * 0.3;
        (model.call(audio) - audio).abs().mean().backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var grad = parameter.grad;
            Assert.True(grad is not null, $"{name} has no gradient");
            Assert.True(grad.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
            Assert.True(grad.abs().sum().item<double>() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void DefaultsAreA75HzModelAndDac44kIsHop512()
    {
        var small = new AutoencoderOptions();
        Assert.Equal(320, small.HopLength);
        Assert.Equal(75.0, small.FrameRate, 9);
        Assert.Equal(new[] { 8, 5, 4, 2 }, small.DecoderStrides);

        var dac = new AutoencoderOptions { SampleRate = 44100, EncoderDim = 64, DecoderDim = 1536, EncoderStrides = [2, 4, 8, 8] };
        Assert.Equal(512, dac.HopLength);
        Assert.Equal(86.1328125, dac.FrameRate, 9);
    }

    [Fact]
    public void OptionsSurviveJson()
    {
        var options = new AutoencoderOptions { EncoderStrides = [2, 4, 8, 8], DecoderStrides = [4, 4, 8, 4], LatentDim = 24 };
        var copy = JsonSerializer.Deserialize<AutoencoderOptions>(JsonSerializer.Serialize(options))!;
        Assert.Equal(options.EncoderStrides, copy.EncoderStrides);
        Assert.Equal(options.DecoderStrides, copy.DecoderStrides);
        Assert.Equal(24, copy.LatentDim);
    }

    [Fact]
    public void MismatchedDecoderStridesAreRejectedByName()
    {
        var options = new AutoencoderOptions { EncoderStrides = [2, 4, 5, 8], DecoderStrides = [8, 8, 4, 2] };
        var error = Assert.Throws<ArgumentException>(() => Autoencoder.Create(options));
        Assert.Equal(nameof(AutoencoderOptions.DecoderStrides), error.ParamName);
        Assert.Contains("320", error.Message);
    }

    public static TheoryData<AutoencoderOptions, string> InvalidOptions => new()
    {
        { new AutoencoderOptions { SampleRate = 0 }, nameof(AutoencoderOptions.SampleRate) },
        { new AutoencoderOptions { EncoderDim = -1 }, nameof(AutoencoderOptions.EncoderDim) },
        { new AutoencoderOptions { LatentDim = 0 }, nameof(AutoencoderOptions.LatentDim) },
        { new AutoencoderOptions { EncoderStrides = [2, 1, 4] }, nameof(AutoencoderOptions.EncoderStrides) },
        { new AutoencoderOptions { EncoderStrides = [] }, nameof(AutoencoderOptions.EncoderStrides) },
        { new AutoencoderOptions { Dilations = [1, 0] }, nameof(AutoencoderOptions.Dilations) },
        { new AutoencoderOptions { ResidualKernel = 6 }, nameof(AutoencoderOptions.ResidualKernel) },
        { new AutoencoderOptions { DecoderDim = 24 }, nameof(AutoencoderOptions.DecoderDim) },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsNameTheOption(AutoencoderOptions options, string option)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(option, error.ParamName);
        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void StateDictKeysFollowDacNames()
    {
        using var model = Autoencoder.Create(Tiny([2, 4, 5, 8]));
        var keys = model.state_dict().Keys.ToHashSet();
        Assert.Contains("encoder.block.0.weight_g", keys);
        Assert.Contains("encoder.block.0.weight_v", keys);
        Assert.Contains("encoder.block.1.block.0.block.0.alpha", keys);
        Assert.Contains("decoder.model.1.block.1.weight_v", keys);
        Assert.Equal(model.parameters().Sum(p => p.numel()), model.ParameterCount);
    }

    [Fact]
    public void Conv1dWeightsStartFromDacsNormalInit()
    {
        using var model = Autoencoder.Create(new AutoencoderOptions());
        var convs = model.modules().OfType<WeightNormConv1d>().ToList();
        using var all = cat(convs.Select(c => c.get_parameter("weight_v")!.flatten()).ToList());
        Assert.Equal(0.02, all.std().item<float>(), 3);
        Assert.Equal(0.0, all.mean().item<float>(), 3);
        Assert.All(convs, c => Assert.Equal(0f, c.get_parameter("bias")!.abs().sum().item<float>()));
    }
}
