using System.Runtime;

namespace PostRvq.Native;

/// <summary>
/// Holds the .NET garbage collector off for a short span of tensor work (one training step, one batch).
/// TorchSharp converts numbers to native Scalars implicitly and frees them from finalizers; a collection in the
/// middle of an optimizer step can free a Scalar that native code is still reading. Pausing the collector for
/// the span closes that window; the pause ends on its own if the span allocates more than the budget.
/// </summary>
public readonly struct GcPause : IDisposable
{
    const long BudgetBytes = 200L * 1024 * 1024;
    readonly bool started;

    GcPause(bool started) => this.started = started;

    /// <summary>Starts a pause; dispose it to let the collector run again.</summary>
    public static GcPause Begin()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return new GcPause(false);
        try
        {
            return new GcPause(GC.TryStartNoGCRegion(BudgetBytes, disallowFullBlockingGC: true));
        }
        catch (ArgumentOutOfRangeException)
        {
            // The budget exceeds what this GC configuration allows for a no-GC region; run without the pause.
            return new GcPause(false);
        }
    }

    public void Dispose()
    {
        if (!started || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // The region had already ended (a collection was induced or the budget ran out): nothing to undo.
        }
    }
}
