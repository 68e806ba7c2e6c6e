using PostRvq.Audio;
using PostRvq.Data;
using PostRvq.Metrics;
using Spectre.Console;

namespace PostRvq.Cli;

/// <summary>
/// Keeps clips too short for the audio metrics out of every score the CLI prints or writes, and names them in one
/// warning line: an empty clip would score the 120 dB ceiling and lift a folder's mean.
/// </summary>
static class ScorableClips
{
    /// <summary>
    /// Scores <paramref name="reconstruct"/> of every clip of <paramref name="split"/> at <paramref name="sampleRate"/>,
    /// in order, skipping the clips too short to score.
    /// </summary>
    /// <exception cref="ArgumentException">The split has clips but none is long enough.</exception>
    public static List<(string Clip, double Seconds, AudioMetricValues Values)> ScoreSplit(Corpus split, int sampleRate, Func<AudioClip, AudioClip> reconstruct)
    {
        var rows = new List<(string, double, AudioMetricValues)>();
        var skipped = new List<(string, int)>();
        foreach (var entry in split.Entries)
        {
            var clip = split.LoadClip(entry, sampleRate);
            if (AudioMetrics.CanScore(clip.Length)) rows.Add((entry.Id, clip.DurationSeconds, MetricsTable.Score(clip, reconstruct(clip))));
            else skipped.Add((entry.Id, clip.Length));
        }
        Warn(skipped, sampleRate);
        RequireAny(rows.Count, skipped.Count, split.Description);
        return rows;
    }

    /// <summary>The clips (with their ids) long enough to score, in order; a warning names the others.</summary>
    /// <exception cref="ArgumentException">There are clips but none is long enough.</exception>
    public static (IReadOnlyList<AudioClip> Clips, IReadOnlyList<string> Ids) Keep(IReadOnlyList<AudioClip> clips, IReadOnlyList<string> ids, string source)
    {
        var kept = Enumerable.Range(0, clips.Count).Where(i => AudioMetrics.CanScore(clips[i].Length)).ToList();
        var skipped = Enumerable.Range(0, clips.Count).Except(kept).Select(i => (ids[i], clips[i].Length)).ToList();
        if (clips.Count > 0) Warn(skipped, clips[0].SampleRate);
        RequireAny(kept.Count, skipped.Count, source);
        return (kept.Select(i => clips[i]).ToList(), kept.Select(i => ids[i]).ToList());
    }

    /// <summary>One warning line on stderr naming each clip left unscored and its length; nothing when there are none.</summary>
    public static void Warn(IReadOnlyList<(string Clip, int Samples)> skipped, int sampleRate)
    {
        if (skipped.Count == 0) return;
        AnsiConsole.Console.Profile.Out.Writer.Flush();
        Console.Error.WriteLine($"warning: not scored, {skipped.Count} clip(s) shorter than the metrics' {AudioMetrics.MinimumLength}-sample window "
            + $"({1000.0 * AudioMetrics.MinimumLength / sampleRate:0.#} ms at {sampleRate} Hz): "
            + string.Join(", ", skipped.Select(s => $"{s.Clip} ({s.Samples} samples)")));
    }

    static void RequireAny(int scored, int skipped, string source)
    {
        if (scored == 0 && skipped > 0)
            throw new ArgumentException(
                $"{source}: none of its {skipped} clip(s) is long enough to score; the metrics need at least {AudioMetrics.MinimumLength} samples");
    }
}
