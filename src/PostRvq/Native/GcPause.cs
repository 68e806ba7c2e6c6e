using System.Runtime;

namespace PostRvq.Native;

/// <summary>
/// Holds the .NET garbage collector off for one span of tensor work (a training step, a batch, a chunk), then
/// collects. TorchSharp turns numbers into native Scalars implicitly and frees them from finalizers, with nothing
/// keeping a Scalar alive while native code reads it; a collection in mid-operation can free it and crash LibTorch
/// ("Expected false to be true" in Scalar::toDouble, seen at step ~300 of a bench run). Inside the span no
/// collection can run; at its end a gen-0 collection lets the span's garbage, Scalars and tensor handles that rely
/// on finalizers, be freed, so native memory stays flat.
/// </summary>
public readonly struct GcPause : IDisposable
{
    // Far above what one step allocates on the managed heap; if a span ever exceeds it the pause just ends early.
    const long BudgetBytes = 32L * 1024 * 1024;
    readonly bool started;

    GcPause(bool started) => this.started = started;

    /// <summary>Starts a pause; dispose it to collect and let the collector run again.</summary>
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
        if (!started) return;
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            try
            {
                GC.EndNoGCRegion();
            }
            catch (InvalidOperationException)
            {
                // The region had already ended (the budget ran out): nothing to undo.
            }
        }
        // Without this, a span that stays under the budget never triggers a collection, and memory held by
        // finalizer-freed handles piles up (about 10 MB per training step).
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
    }
}
