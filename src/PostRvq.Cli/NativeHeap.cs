using System.Runtime.InteropServices;

namespace PostRvq.Cli;

/// <summary>
/// Keeps glibc from holding freed libtorch buffers. By default glibc raises its mmap threshold each time a large block
/// is freed, so later chunk-sized tensors come from the heap and fragment it: `reconstruct` on 10 minutes of audio
/// peaked at 1.34 GB resident with the default and at 0.79 GB with a fixed threshold (scripts/bench-long-file).
/// </summary>
static class NativeHeap
{
    // M_MMAP_THRESHOLD in glibc's malloc.h; 128 KiB is glibc's own starting value, now kept fixed.
    const int MmapThresholdParameter = -3;
    const int MmapThresholdBytes = 128 * 1024;

    /// <summary>
    /// The commands that score or rebuild whole files, where the fixed threshold was measured to help. Training is left
    /// out on purpose: it frees and reallocates large activations every step, and a fixed threshold turns each into an
    /// mmap/munmap pair with fresh page faults (an adversarial tiny-cpu step went from 6 s to 30 s).
    /// </summary>
    static readonly string[] LongFileCommands = ["reconstruct", "evaluate"];

    /// <summary>
    /// Fixes the mmap threshold on Linux with glibc when <paramref name="args"/> run a long-file command; does nothing
    /// otherwise, elsewhere, or when mallopt is missing (musl).
    /// </summary>
    public static void FixMmapThresholdFor(string[] args)
    {
        if (!OperatingSystem.IsLinux() || args.Length == 0 || !LongFileCommands.Contains(args[0])) return;
        try
        {
            Mallopt(MmapThresholdParameter, MmapThresholdBytes);
        }
        // Only memory use is at stake, so a C library without mallopt is no error.
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    // Two ints and an int result need no marshalling, so DllImport needs no unsafe code.
    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);
}
