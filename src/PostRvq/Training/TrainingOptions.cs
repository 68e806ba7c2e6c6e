namespace PostRvq.Training;

/// <summary>
/// How the continuous autoencoder is trained. Optimiser defaults are DAC's: AdamW, learning rate 1e-4,
/// betas (0.8, 0.99), exponential decay 0.999996 per step, gradient clipping at 1000 (generator) and
/// 10 (discriminator).
/// </summary>
public sealed record TrainingOptions
{
    public int Steps { get; init; } = 2500;
    public int BatchSize { get; init; } = 8;
    /// <summary>Length of each random training crop.</summary>
    public double CropSeconds { get; init; } = 0.4;
    public double LearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.8;
    public double Beta2 { get; init; } = 0.99;
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Per-step factor of the exponential learning-rate decay.</summary>
    public double LearningRateDecay { get; init; } = 0.999996;
    /// <summary>
    /// Steps over which the rate ramps linearly from 1/warm-up to its full value (DAC: 0, none). Adam's first steps
    /// move every weight by about the full rate, which a model that starts from a good linear codec cannot afford.
    /// </summary>
    public int LearningRateWarmupSteps { get; init; } = 0;
    public double GeneratorGradientClip { get; init; } = 1000.0;
    public double DiscriminatorGradientClip { get; init; } = 10.0;
    /// <summary>Train with the discriminators; off gives a quick reconstruction-only run.</summary>
    public bool Adversarial { get; init; } = true;
    /// <summary>Steps of reconstruction-only training before the discriminators join.</summary>
    public int AdversarialWarmupSteps { get; init; } = 0;
    public int ValidateEvery { get; init; } = 250;
    /// <summary>How many clips of the valid split the periodic validation uses (0 = all).</summary>
    public int ValidationClips { get; init; } = 32;
    public double ValidationSeconds { get; init; } = 2.0;
    public int CheckpointEvery { get; init; } = 100;
    public long Seed { get; init; } = 0;

    /// <summary>The rate of optimiser step <paramref name="step"/> (0-based): warm-up, then exponential decay.</summary>
    public double LearningRateAt(long step) =>
        LearningRate * Math.Pow(LearningRateDecay, step) * Math.Min(1.0, (step + 1.0) / Math.Max(LearningRateWarmupSteps, 1));

    /// <summary>Crop length in samples at <paramref name="sampleRate"/>.</summary>
    public int CropLength(int sampleRate) => (int)Math.Round(CropSeconds * sampleRate);

    public void Validate()
    {
        void Positive(string name, double value)
        {
            if (!(value > 0) || !double.IsFinite(value))
                throw new ArgumentException($"training.{name} must be positive, not {value}");
        }
        Positive("steps", Steps);
        Positive("batchSize", BatchSize);
        Positive("cropSeconds", CropSeconds);
        Positive("learningRate", LearningRate);
        // A factor above 1 grows the rate every step until training diverges; 1 is a constant rate.
        if (!(LearningRateDecay > 0 && LearningRateDecay <= 1))
            throw new ArgumentException($"training.learningRateDecay must be in (0, 1], not {LearningRateDecay}");
        Positive("generatorGradientClip", GeneratorGradientClip);
        Positive("discriminatorGradientClip", DiscriminatorGradientClip);
        Positive("validateEvery", ValidateEvery);
        Positive("checkpointEvery", CheckpointEvery);
        Positive("validationSeconds", ValidationSeconds);
        // Written as !(in range) so that NaN is refused too.
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentException($"training.beta1 must be in [0, 1), not {Beta1}");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException($"training.beta2 must be in [0, 1), not {Beta2}");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
            throw new ArgumentException($"training.weightDecay must be finite and not negative, not {WeightDecay}");
        if (LearningRateWarmupSteps < 0) throw new ArgumentException($"training.learningRateWarmupSteps must not be negative, not {LearningRateWarmupSteps}");
        if (AdversarialWarmupSteps < 0) throw new ArgumentException($"training.adversarialWarmupSteps must not be negative, not {AdversarialWarmupSteps}");
        if (ValidationClips < 0) throw new ArgumentException($"training.validationClips must not be negative, not {ValidationClips}");
    }
}
