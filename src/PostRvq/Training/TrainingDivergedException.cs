namespace PostRvq.Training;

/// <summary>A loss or gradient became NaN or infinite; the run stopped before the bad step touched the weights.</summary>
public sealed class TrainingDivergedException(long step, string detail, string? lastCheckpoint)
    : Exception($"Training diverged at step {step}: {detail}. "
        + (lastCheckpoint is null ? "No checkpoint had been written yet." : $"The last good checkpoint is kept at {lastCheckpoint}."))
{
    public long Step { get; } = step;
    public string? LastCheckpoint { get; } = lastCheckpoint;
}
