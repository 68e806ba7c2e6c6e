using System.Runtime.InteropServices;

namespace PostRvq.Native;

/// <summary>
/// How glibc's malloc, which serves LibTorch's tensors, hands memory back to the kernel. The right policy depends on the
/// work: a training step frees and reallocates the same large activations every step, a long file streams chunks
/// through buffers of one size. Both policies are process-wide and only change memory use and speed, never results;
/// they do nothing off Linux or where the C library has no <c>mallopt</c> (musl).
/// </summary>
public static class NativeHeap
{
    // Parameter numbers of mallopt in glibc's malloc.h.
    const int TrimThresholdParameter = -1;
    const int MmapThresholdParameter = -3;
    const int MmapMaxParameter = -4;

    // 128 KiB is glibc's own starting threshold, kept fixed.
    const int LongFileMmapThresholdBytes = 128 * 1024;

    /// <summary>
    /// For commands that score or rebuild whole files: a fixed mmap threshold, so chunk-sized tensors go back to the
    /// kernel when freed. By default glibc raises the threshold each time a large block is freed, later chunks then come
    /// from the heap and fragment it (docs/performance.md, "Native heap").
    /// </summary>
    public static void ReturnLargeBlocks() => Mallopt(MmapThresholdParameter, LongFileMmapThresholdBytes);

    /// <summary>
    /// For training: every block comes from the heap and the heap is never trimmed, so a step reuses the pages the
    /// previous step freed. With glibc's default, blocks over 32 MB are always fresh mappings and the heap's top is
    /// trimmed, so each step pays for page faults and for the kernel zeroing gigabytes of new pages. Setting it turns
    /// glibc's dynamic threshold off for good, so measure the default before calling this.
    /// </summary>
    public static void KeepFreedPages()
    {
        Mallopt(MmapMaxParameter, 0);
        Mallopt(TrimThresholdParameter, int.MaxValue);
    }

    static void Mallopt(int parameter, int value)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MalloptNative(parameter, value);
        }
        // Only memory use and speed are at stake, so a C library without mallopt is no error.
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    // Two ints and an int result need no marshalling, so DllImport needs no unsafe code.
    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int MalloptNative(int parameter, int value);
}
