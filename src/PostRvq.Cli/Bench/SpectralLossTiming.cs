using PostRvq.Losses;
using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Cli.Bench;

/// <summary>
/// The mel and STFT loss terms of one training batch, forward and backward, timed with each loss computing its own
/// transforms and with <see cref="MelAndStftLoss"/> sharing them (as the trainer does), in one process.
/// </summary>
static class SpectralLossTiming
{
    /// <summary>Median seconds of <paramref name="repeats"/> passes each way, after one warm-up each.</summary>
    public static (double Separate, double Shared) MedianSeconds(ExperimentConfig config, int repeats)
    {
        var sampleRate = config.Model.SampleRate;
        var length = (long)Math.Round(config.Training.CropSeconds * sampleRate);
        var generator = new Generator(0);
        using var reference = randn([config.Training.BatchSize, 1, length], generator: generator) * 0.1;
        using var estimate = reference * 0.7 + randn([config.Training.BatchSize, 1, length], generator: generator) * 0.01;
        var mel = new MultiScaleMelLoss(sampleRate);
        var stft = new MultiResolutionStftLoss();
        var both = new MelAndStftLoss(sampleRate);

        void Separate() => Backward(x => (mel.Forward(x, reference), stft.Forward(x, reference)));
        void Shared() => Backward(x => both.Forward(x, reference));
        void Backward(Func<Tensor, (Tensor Mel, Tensor Stft)> losses)
        {
            using var scope = NewDisposeScope();
            var x = estimate.detach().requires_grad_();
            var (melLoss, stftLoss) = losses(x);
            (melLoss * config.Loss.Mel + stftLoss * config.Loss.Stft).backward();
        }

        Separate();
        Shared();
        return (BenchClock.MedianSeconds(repeats, Separate), BenchClock.MedianSeconds(repeats, Shared));
    }
}
