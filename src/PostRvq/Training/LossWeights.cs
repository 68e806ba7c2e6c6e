namespace PostRvq.Training;

/// <summary>
/// Weights of the generator's loss terms. Defaults are DAC's (Kumar et al. 2023): mel 15, feature matching 2,
/// adversarial 1. DAC logs a multi-resolution STFT loss without weighting it; we give it weight 1 so the
/// linear-frequency detail that the mel scale compresses still gets a gradient. The phase-aware terms default to
/// 0 (DAC has none); the <c>mdct</c> presets use them so the waveform, not only its spectrum, is learnt.
/// </summary>
public sealed record LossWeights
{
    public double Mel { get; init; } = 15.0;
    public double Stft { get; init; } = 1.0;
    /// <summary>Least-squares generator loss ("adv/gen").</summary>
    public double Adversarial { get; init; } = 1.0;
    /// <summary>Discriminator feature matching ("adv/feat").</summary>
    public double FeatureMatching { get; init; } = 2.0;
    /// <summary>L1 on the samples ("wave").</summary>
    public double Waveform { get; init; } = 0.0;
    /// <summary>L1 on the MDCT coefficients of the model's hop ("mdct").</summary>
    public double Mdct { get; init; } = 0.0;

    public void Validate()
    {
        foreach (var (name, value) in new[] { ("mel", Mel), ("stft", Stft), ("adversarial", Adversarial), ("featureMatching", FeatureMatching),
                     ("waveform", Waveform), ("mdct", Mdct) })
            if (value < 0 || !double.IsFinite(value))
                throw new ArgumentException($"loss.{name} must be a finite non-negative weight, not {value}");
    }
}
