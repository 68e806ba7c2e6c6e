using System.Runtime.InteropServices;

namespace PostRvq.Cli;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM (what <c>kill</c> and SLURM send) into a cancellation, so that training saves a
/// checkpoint before it stops; <see cref="ExitCode"/> is then the shell's convention, 128 + the signal (130 or 143),
/// so scripts and schedulers can tell a stopped run from a finished one. A second signal is not caught and ends the
/// process at once; checkpoints are written atomically, so that loses at most the steps since the last one. A run
/// started with SIGINT ignored (a background job of a non-interactive shell) keeps ignoring it, as the shell meant;
/// SIGTERM still stops it.
/// </summary>
sealed class StopSignals : IDisposable
{
    readonly CancellationTokenSource cancellation = new();
    readonly PosixSignalRegistration[] registrations;
    int signal;

    public StopSignals()
    {
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => cancellation.Token;

    /// <summary>Whether a signal asked the run to stop.</summary>
    public bool Stopped => signal != 0;

    /// <summary>130 after SIGINT, 143 after SIGTERM, 0 when no signal came.</summary>
    public int ExitCode => signal == 0 ? 0 : 128 + signal;

    public const int InterruptedExitCode = 128 + 2;
    public const int TerminatedExitCode = 128 + 15;

    void OnSignal(PosixSignalContext context)
    {
        var number = context.Signal == PosixSignal.SIGINT ? 2 : 15;
        if (Interlocked.CompareExchange(ref signal, number, 0) != 0) return;
        context.Cancel = true;
        cancellation.Cancel();
        Console.Error.WriteLine($"{(number == 2 ? "Interrupted" : "Terminated")}: stopping after this step and saving the checkpoint; "
            + "a second signal stops at once.");
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        cancellation.Dispose();
    }
}

/// <summary>
/// A command run inside another (a pipeline stage's training) was stopped by a signal after saving; the outer command
/// stops too, with the same exit code. A cancellation, so the pipeline keeps the stage's partial folder without calling it failed.
/// </summary>
sealed class StoppedBySignalException(int exitCode) : OperationCanceledException($"stopped by a signal (exit code {exitCode})")
{
    public int ExitCode { get; } = exitCode;
}
