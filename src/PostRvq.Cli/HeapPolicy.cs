using PostRvq.Native;

namespace PostRvq.Cli;

/// <summary>Chooses the native heap policy (<see cref="NativeHeap"/>) from the command a process runs.</summary>
static class HeapPolicy
{
    /// <summary>Commands that rebuild whole files in chunks, where returning large blocks was measured to bound memory.</summary>
    static readonly string[] LongFileCommands = ["reconstruct"];

    /// <summary>Commands that run training steps, where keeping freed pages was measured to speed a step up.</summary>
    static readonly string[] TrainingCommands = ["train", "finetune", "e2e"];

    /// <summary>Applies the policy for <paramref name="args"/>; other commands keep glibc's default.</summary>
    public static void ApplyFor(string[] args)
    {
        if (args.Length == 0) return;
        if (LongFileCommands.Contains(args[0])) NativeHeap.ReturnLargeBlocks();
        else if (TrainingCommands.Contains(args[0])) NativeHeap.KeepFreedPages();
    }
}
