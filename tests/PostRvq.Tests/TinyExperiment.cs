using PostRvq.Audio;
using PostRvq.Discriminators;
using PostRvq.Nn;
using PostRvq.Training;

namespace PostRvq.Tests;

/// <summary>A model small enough that a training step takes milliseconds, for trainer tests.</summary>
static class TinyExperiment
{
    public const int SampleRate = 24000;

    public static ExperimentConfig Config(int steps, bool adversarial = true, int checkpointEvery = 1000) => new()
    {
        Name = "test-tiny",
        Model = new AutoencoderOptions { SampleRate = SampleRate, EncoderDim = 4, EncoderStrides = [2, 4], LatentDim = 8, DecoderDim = 16 },
        Discriminator = new DiscriminatorOptions { PeriodChannels = [4, 8], StftWindows = [512, 256], Channels = 4 },
        Training = new TrainingOptions
        {
            Steps = steps, BatchSize = 2, CropSeconds = 0.1, LearningRate = 1e-3, Adversarial = adversarial,
            ValidateEvery = 1000, CheckpointEvery = checkpointEvery, ValidationClips = 2, ValidationSeconds = 0.2, Seed = 7,
        },
    };

    public static IReadOnlyList<AudioClip> Train => SyntheticAudio.Clips(6, 1.0, SampleRate);
    public static IReadOnlyList<AudioClip> Valid => SyntheticAudio.Clips(2, 0.5, SampleRate, seed: 3);
}
