namespace PostRvq.Quantization.InLoop;

/// <summary>
/// The in-loop residual vector quantizer of the end-to-end baseline (SoundStream, Zeghidour et al. 2021; DAC, Kumar
/// et al. 2023), trained jointly with the same encoder and decoder as the continuous model. Defaults are DAC's where
/// DAC has one, and the paper's 10-bit, 32-stage grid (24 kbps at 75 Hz).
/// </summary>
public sealed record E2EQuantizerOptions
{
    /// <summary>Stages at full depth; quantizer dropout trains every prefix of them.</summary>
    public int Codebooks { get; init; } = 32;

    /// <summary>Entries per stage (10 bits, as the paper's and DAC's codebooks).</summary>
    public int CodebookSize { get; init; } = 1024;

    /// <summary>Weight of ‖z_e − sg(z_q)‖² that pulls the encoder toward its codes (VQ-VAE's β; DAC: 0.25).</summary>
    public double CommitmentWeight { get; init; } = 0.25;

    /// <summary>Weight of ‖sg(z_e) − z_q‖² that moves the codes (DAC: 1.0); unused with <see cref="Ema"/>.</summary>
    public double CodebookWeight { get; init; } = 1.0;

    /// <summary>Update codebooks as exponential moving averages of their assigned vectors (SoundStream, EnCodec) instead of by gradient.</summary>
    public bool Ema { get; init; } = false;

    /// <summary>EMA decay (SoundStream and EnCodec: 0.99).</summary>
    public double EmaDecay { get; init; } = 0.99;

    /// <summary>Probability that a batch item uses a random number of stages in [1, Codebooks] (DAC: 0.5).</summary>
    public double QuantizerDropout { get; init; } = 0.5;

    /// <summary>DAC's factorized codes: project each stage's residual to <see cref="CodeDim"/>, L2-normalise, look up by cosine, project back.</summary>
    public bool Factorized { get; init; } = false;

    /// <summary>Dimension of the factorized codes (DAC: 8).</summary>
    public int CodeDim { get; init; } = 8;

    /// <summary>Training batches whose latents seed the codebooks by k-means (SoundStream); more are drawn until there are enough frames. 0 keeps the random init.</summary>
    public int KMeansInitBatches { get; init; } = 8;

    /// <summary>Lloyd iterations of that k-means.</summary>
    public int KMeansIterations { get; init; } = 10;

    /// <summary>An entry unused for this many steps counts as dead (and is replaced if <see cref="ReplaceDeadCodes"/>).</summary>
    public int DeadCodeSteps { get; init; } = 100;

    /// <summary>Replace dead entries with random residuals of the current batch (SoundStream's codebook expiry).</summary>
    public bool ReplaceDeadCodes { get; init; } = true;

    public void Validate()
    {
        if (Codebooks < 1) throw new ArgumentException($"e2e.codebooks must be positive, not {Codebooks}");
        if (CodebookSize < 2) throw new ArgumentException($"e2e.codebookSize must be at least 2, not {CodebookSize}");
        if (CommitmentWeight < 0 || !double.IsFinite(CommitmentWeight)) throw new ArgumentException($"e2e.commitmentWeight must be a finite non-negative weight, not {CommitmentWeight}");
        if (CodebookWeight < 0 || !double.IsFinite(CodebookWeight)) throw new ArgumentException($"e2e.codebookWeight must be a finite non-negative weight, not {CodebookWeight}");
        if (!(EmaDecay > 0 && EmaDecay < 1)) throw new ArgumentException($"e2e.emaDecay must be in (0, 1), not {EmaDecay}");
        if (!(QuantizerDropout >= 0 && QuantizerDropout <= 1)) throw new ArgumentException($"e2e.quantizerDropout must be in [0, 1], not {QuantizerDropout}");
        if (CodeDim < 1) throw new ArgumentException($"e2e.codeDim must be positive, not {CodeDim}");
        if (KMeansInitBatches < 0) throw new ArgumentException($"e2e.kMeansInitBatches must not be negative, not {KMeansInitBatches}");
        if (KMeansIterations < 1) throw new ArgumentException($"e2e.kMeansIterations must be positive, not {KMeansIterations}");
        if (DeadCodeSteps < 1) throw new ArgumentException($"e2e.deadCodeSteps must be positive, not {DeadCodeSteps}");
    }
}
