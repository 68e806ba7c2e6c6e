namespace PostRvq.Training;

/// <summary>
/// Step 3 of the paper: the decoder is finetuned on quantized latents while encoder and quantizer stay frozen.
/// Everything not set here (batch, crops, betas, decay, clipping, validation and checkpoint schedule, seed) comes
/// from the config's <c>training</c> section; adversarial training starts at once, with no warm-up.
/// </summary>
public sealed record FinetuneOptions
{
    /// <summary>Decoder steps; a budget choice, far below step 1's because only the decoder moves.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>DAC's learning rate (1e-4), for a decoder that is already trained.</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>The bitrate the decoder is finetuned for, and the one validation uses (16 kbps: 21 codebooks at 75 Hz).</summary>
    public double Kbps { get; init; } = 16;

    /// <summary>When set, each batch draws one of these bitrates (seeded), so one decoder serves all of them.</summary>
    public double[] KbpsSet { get; init; } = [];

    /// <summary>The bitrates training draws from: <see cref="KbpsSet"/>, or <see cref="Kbps"/> alone.</summary>
    public IReadOnlyList<double> TrainingBitrates => KbpsSet.Length > 0 ? KbpsSet : [Kbps];

    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"finetune.steps must be positive, not {Steps}");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentException($"finetune.learningRate must be positive, not {LearningRate}");
        if (!(Kbps > 0) || !double.IsFinite(Kbps)) throw new ArgumentException($"finetune.kbps must be positive, not {Kbps}");
        if (KbpsSet is null) throw new ArgumentException("finetune.kbpsSet must be a list of bitrates ([] for none), not null");
        foreach (var kbps in KbpsSet)
            if (!(kbps > 0) || !double.IsFinite(kbps))
                throw new ArgumentException($"finetune.kbpsSet must hold positive bitrates, not {kbps}");
    }
}
