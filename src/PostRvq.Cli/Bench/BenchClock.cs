using System.Diagnostics;
using MathNet.Numerics.Statistics;

namespace PostRvq.Cli.Bench;

/// <summary>Wall-clock timing for the benchmarks: the median of repeats, so one slow run (a page fault, another process) does not move it.</summary>
static class BenchClock
{
    /// <summary>Median wall time in seconds of <paramref name="repeats"/> runs of <paramref name="action"/>.</summary>
    public static double MedianSeconds(int repeats, Action action) =>
        Enumerable.Range(0, repeats).Select(_ => Seconds(action)).ToList().Median();

    /// <summary>Wall time in seconds of one run of <paramref name="action"/>.</summary>
    public static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
