// What a training step of a preset costs in floating-point work, so a measured step time can be read as GFLOP/s.
using PostRvq.Discriminators;
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Training;

/// <summary>
/// FLOPs of one <see cref="ContinuousTrainer"/> step at the preset's batch and crop, from <see cref="FlopCount"/>.
/// Convention: a backward pass costs 2× its forward when weights train (input and weight gradients) and 1× when only
/// input gradients flow, so a trained pass costs 3× its forward.
/// </summary>
/// <param name="Generator">G: the autoencoder's forward on a batch [B, 1, crop].</param>
/// <param name="Discriminators">D: every sub-discriminator's forward on one such batch.</param>
public sealed record TrainingStepFlops(ForwardFlops Generator, ForwardFlops Discriminators)
{
    /// <summary>3·G: the generator's forward and backward.</summary>
    public double ReconstructionStep => 3 * Generator.Total;

    /// <summary>
    /// 3·G + 6·D + 3·D: the discriminator step (forward on real and fake, backward, 3·2D), then the generator's adversarial
    /// pass (D on real under no_grad, D on fake forward and its input-gradient backward, 3D).
    /// </summary>
    public double AdversarialStep => 3 * Generator.Total + 9 * Discriminators.Total;

    /// <summary>Counts on one crop of <paramref name="config"/>'s length and scales by its batch size, which every counted layer is linear in.</summary>
    public static TrainingStepFlops For(ExperimentConfig config)
    {
        var sampleRate = config.Model.SampleRate;
        using var model = Autoencoder.Create(config.Model);
        using var discriminator = Discriminator.Create(config.Discriminator, sampleRate);
        using var audio = randn(1, 1, config.Training.CropLength(sampleRate));
        var generator = FlopCount.Count(model, () => model.forward(audio));
        var discriminators = FlopCount.Count(discriminator, () => discriminator.forward(audio));
        var batch = config.Training.BatchSize;
        return new TrainingStepFlops(batch * generator, batch * discriminators);
    }
}
