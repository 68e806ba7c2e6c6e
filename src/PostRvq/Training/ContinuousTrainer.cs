using PostRvq.Audio;
using static TorchSharp.torch;

namespace PostRvq.Training;

/// <summary>
/// Step 1 of the paper: trains the continuous autoencoder (no quantizer) with the multi-scale mel loss, a
/// multi-resolution STFT loss and, after an optional warm-up, least-squares GAN and feature-matching losses
/// against multi-period and multi-band STFT discriminators, as DAC does (Kumar et al. 2023).
/// Every step runs in its own dispose scope; checkpoints are atomic; a run resumes bit-exactly on CPU.
/// </summary>
public sealed class ContinuousTrainer : AdversarialTrainer
{
    /// <param name="config">Model, discriminators, loss weights and optimisation.</param>
    /// <param name="train">Training clips at the model's sample rate.</param>
    /// <param name="valid">Validation clips at the model's sample rate; fixed crops of them are scored.</param>
    /// <param name="runFolder">Where the checkpoint and log.jsonl go; created if missing.</param>
    /// <param name="device">CPU unless given; on CPU, oneDNN convolutions are switched off.</param>
    public ContinuousTrainer(ExperimentConfig config, IReadOnlyList<AudioClip> train, IReadOnlyList<AudioClip> valid,
        string runFolder, Device? device = null)
        : base(config, train, valid, runFolder, device)
    {
        CreateOptimizers(Model.parameters());
    }

    protected override GeneratorOutput Generate(Tensor audio, IDictionary<string, double> losses) => new(Model.forward(audio));

    protected override Tensor Reconstruct(Tensor audio) => Model.forward(audio);
}
