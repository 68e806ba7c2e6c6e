using PostRvq.Metrics;
using Spectre.Console;

namespace PostRvq.Cli;

/// <summary>Prints per-clip audio metrics with a mean row.</summary>
static class MetricsTable
{
    public static void Print(string title, IReadOnlyList<(string Clip, double Seconds, AudioMetricValues Values)> rows)
    {
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Rounded);
        table.AddColumn("clip");
        foreach (var header in new[] { "seconds", "mel ↓", "STFT ↓", "SI-SDR dB ↑", "SNR dB ↑" })
            table.AddColumn(new TableColumn(header).RightAligned());
        foreach (var (clip, seconds, v) in rows)
            table.AddRow(Markup.Escape(clip), $"{seconds:F2}", $"{v.Mel:F3}", $"{v.Stft:F3}", $"{v.SiSdr:F2}", $"{v.Snr:F2}");
        if (rows.Count > 1)
        {
            var mean = AudioMetrics.Mean(rows.Select(r => r.Values));
            table.AddRow("[bold]mean[/]", $"{rows.Sum(r => r.Seconds):F2}", $"[bold]{mean.Mel:F3}[/]", $"[bold]{mean.Stft:F3}[/]",
                $"[bold]{mean.SiSdr:F2}[/]", $"[bold]{mean.Snr:F2}[/]");
        }
        AnsiConsole.Write(table);
    }

    /// <summary>Scores one reconstruction against its input, reading both clips in place (no copies of long files).</summary>
    public static AudioMetricValues Score(Audio.AudioClip reference, Audio.AudioClip estimate)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var r = Audio.AudioTensors.View(reference);
        using var e = Audio.AudioTensors.View(estimate);
        return AudioMetrics.Compute(r, e, reference.SampleRate)[0];
    }
}
