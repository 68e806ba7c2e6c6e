namespace PostRvq.Pipeline;

/// <summary>What a pipeline display listens to.</summary>
public interface IPipelineObserver
{
    void StageStarting(int index, int count, PipelineStage stage, bool skipping);
    void StageProgress(PipelineStage stage, StageProgress progress);
    void StageFinished(StageOutcome outcome);
}

/// <summary>A stage failed; the message names it, and earlier stages' outputs are intact.</summary>
public sealed class PipelineStageException(string stage, string message, Exception inner) : Exception(message, inner)
{
    public string Stage { get; } = stage;
}

/// <summary>
/// Runs stages in order under one run folder. A stage writes into STAGE.partial/ and is renamed to STAGE/ only
/// when it completes, so a failure or an interrupt never leaves a half-written stage that looks finished, and
/// a rerun continues from the first stage whose fingerprint no longer matches.
/// </summary>
public sealed class PipelineRunner(string runFolder, IReadOnlySet<string> force)
{
    /// <summary>Where the full exception of the last failed stage goes (the message on screen is one line).</summary>
    public const string ErrorLogName = "error.log";

    public string RunFolder { get; } = Path.GetFullPath(runFolder);

    /// <summary>The folder a stage's completed outputs live in.</summary>
    public string StageFolder(string stage) => Path.Combine(RunFolder, stage);

    public IReadOnlyList<StageOutcome> Run(IReadOnlyList<PipelineStage> stages, IPipelineObserver observer, CancellationToken cancellation = default)
    {
        var unknown = force.Except(stages.Select(s => s.Name)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException(
                $"--force names unknown stage(s) {string.Join(", ", unknown)}; the stages are {string.Join(", ", stages.Select(s => s.Name))}.");
        Directory.CreateDirectory(RunFolder);
        var outcomes = new List<StageOutcome>();
        for (var i = 0; i < stages.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var stage = stages[i];
            var fingerprint = StageFingerprint.Compute(stage.Name, stage.Options, stage.Inputs);
            var folder = StageFolder(stage.Name);
            var skip = !force.Contains(stage.Name) && StageRecord.TryRead(folder)?.Fingerprint == fingerprint;
            observer.StageStarting(i, stages.Count, stage, skip);
            var outcome = skip
                ? new StageOutcome(stage.Name, stage.Title, true, TimeSpan.Zero, fingerprint, folder)
                : Execute(stage, fingerprint, folder, observer, cancellation);
            outcomes.Add(outcome);
            observer.StageFinished(outcome);
        }
        return outcomes;
    }

    StageOutcome Execute(PipelineStage stage, string fingerprint, string folder, IPipelineObserver observer, CancellationToken cancellation)
    {
        var partial = folder + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var progress = new SynchronousProgress<StageProgress>(p => observer.StageProgress(stage, p));
            stage.Run(new StageContext(partial, progress, cancellation));
            new StageRecord(stage.Name, fingerprint, DateTimeOffset.UtcNow, started.Elapsed.TotalSeconds).Write(partial);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new PipelineStageException(stage.Name, Describe(stage, e) + KeepTrace(e), e);
        }
        Replace(folder, partial);
        return new StageOutcome(stage.Name, stage.Title, false, started.Elapsed, fingerprint, folder);
    }

    string Describe(PipelineStage stage, Exception e)
    {
        var cause = IsDiskFull(e)
            ? $"the disk is full ({e.Message}); free space under {RunFolder} and rerun"
            : e.Message;
        return $"stage '{stage.Name}' ({stage.Title}) failed: {cause}. Earlier stages' outputs are kept under {RunFolder}; rerun the same command to continue from this stage.";
    }

    /// <summary>Writes the full exception to <see cref="ErrorLogName"/> in the run folder, so the one-line message loses nothing.</summary>
    string KeepTrace(Exception e)
    {
        var path = Path.Combine(RunFolder, ErrorLogName);
        try
        {
            IO.AtomicFile.WriteAllText(path, $"{DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz}\n{e}\n");
            return $" The full error is in {path}.";
        }
        catch (Exception writeError) when (writeError is IOException or UnauthorizedAccessException)
        {
            // A full disk may be the very failure; the message must still get out.
            return "";
        }
    }

    static bool IsDiskFull(Exception e) =>
        e is IOException io && (io.HResult == 28 || io.HResult == 0x70 || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));

    static void Replace(string folder, string partial)
    {
        var old = folder + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(folder)) Directory.Move(folder, old);
        Directory.Move(partial, folder);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }
}
