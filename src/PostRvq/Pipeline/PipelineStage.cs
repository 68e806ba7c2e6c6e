namespace PostRvq.Pipeline;

/// <summary>
/// One stage of a resumable pipeline. Its outputs go to runs/NAME/<see cref="Name"/>/, and it is skipped when a
/// previous run of it completed with the same <see cref="Options"/> and the same <see cref="Inputs"/> (files,
/// folders, or earlier stages' folders) — see <see cref="StageFingerprint"/>.
/// </summary>
/// <param name="Name">Folder name and the name <c>--force</c> takes, such as "latents".</param>
/// <param name="Title">What a person reads in the progress display.</param>
/// <param name="Options">Anything JSON-serialisable that changes the stage's outputs.</param>
/// <param name="Inputs">Paths the stage reads; their contents enter the fingerprint.</param>
/// <param name="Run">Writes the outputs into <see cref="StageContext.Folder"/>.</param>
public sealed record PipelineStage(string Name, string Title, object Options, IReadOnlyList<string> Inputs, Action<StageContext> Run);

/// <summary>Where a running stage writes, and how it reports progress (Fraction in [0, 1]).</summary>
public sealed record StageContext(string Folder, IProgress<StageProgress> Progress, CancellationToken Cancellation);

/// <summary>Progress of the current stage: the fraction done and what it is doing.</summary>
public sealed record StageProgress(double Fraction, string Detail);

/// <summary>How a stage went: run or skipped, in how long, under which fingerprint.</summary>
public sealed record StageOutcome(string Name, string Title, bool Skipped, TimeSpan Elapsed, string Fingerprint, string Folder);
