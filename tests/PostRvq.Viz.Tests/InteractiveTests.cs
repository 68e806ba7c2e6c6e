using System.Buffers.Binary;
using Microsoft.DotNet.Interactive.Formatting;
using PostRvq.Audio;
using PostRvq.Evaluation;
using PostRvq.Interactive;
using PostRvq.Metrics;
using PostRvq.Training;

namespace PostRvq.Viz.Tests;

public class InteractiveTests
{
    const string DataUrlPrefix = "src=\"data:audio/wav;base64,";

    static InteractiveTests() => PostRvqKernelExtension.RegisterFormatters();

    [Fact]
    public void Player_embeds_the_clip_as_a_16_bit_wav_data_url()
    {
        var clip = TestData.Sine(440, seconds: 0.01);
        var html = AudioHtml.Player(clip);
        Assert.StartsWith("<audio controls", html);
        var start = html.IndexOf(DataUrlPrefix, StringComparison.Ordinal) + DataUrlPrefix.Length;
        var wav = Convert.FromBase64String(html[start..html.IndexOf('"', start)]);
        Assert.Equal("RIFF"u8.ToArray(), wav[..4]);
        Assert.Equal(44 + 2 * clip.Length, wav.Length);
        Assert.Equal(24000, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
    }

    [Fact]
    public void A_clip_formats_as_a_player_beside_its_spectrogram()
    {
        var html = TestData.Sine(440, seconds: 0.1).ToDisplayString("text/html");
        Assert.Contains("<audio controls", html);
        Assert.Contains(DataUrlPrefix, html);
        Assert.Contains("class=\"postrvq-plotly\"", html);
        Assert.Contains("\"type\":\"heatmap\"", html);
        Assert.Contains("0.10 s · 24000 Hz", html);
    }

    [Fact]
    public void Comparison_rows_format_as_a_table_with_a_line_per_row()
    {
        IEnumerable<ComparisonRow> rows = TestData.Grid().ToList();
        var html = rows.ToDisplayString("text/html");
        Assert.StartsWith("<table class=\"postrvq-comparison\">", html);
        Assert.Equal(5, html.Split("<tr><td>").Length - 1);
        Assert.Contains("<td>pq</td>", html);
        Assert.Contains("<td style=\"text-align:right\">5.500</td>", html);
    }

    [Fact]
    public void Comparison_table_shows_each_rows_training_steps()
    {
        IEnumerable<ComparisonRow> rows = [TestData.Row("e2e", 16, [5.0]) with { TrainingSteps = 1504 }, TestData.Row("rvq", 16, [5.0])];
        var html = rows.ToDisplayString("text/html");
        Assert.Contains("<th style=\"text-align:right\">Training steps</th>", html);
        Assert.Contains("<td style=\"text-align:right\">1,504</td></tr>", html);
        Assert.Contains("<td style=\"text-align:right\">–</td></tr>", html);
    }

    [Fact]
    public void Charts_and_frames_format_as_offline_html()
    {
        Assert.Contains("Plotly.newPlot(", Charts.RateDistortion(TestData.Grid(), AudioMetric.Mel).ToDisplayString("text/html"));
        Assert.StartsWith("<table class=\"postrvq-table\">", ComparisonTables.Pivot(TestData.Grid(), AudioMetric.Mel).ToDisplayString("text/html"));
        Assert.Contains("plotly.js v2.28.0", PostRvqKernelExtension.Load().ToDisplayString("text/html"));
    }

    [Fact]
    public void Clip_grid_has_a_player_per_clip_and_version_and_rejects_ragged_rows()
    {
        var a = TestData.Sine(220, 0.05);
        var b = TestData.Sine(330, 0.05);
        var grid = new ClipGrid(["original", "decoded"]).Add("one", a, b).Add("two", b, a);
        var html = grid.ToDisplayString("text/html");
        Assert.Equal(4, html.Split("<audio controls").Length - 1);
        Assert.Contains("<th>decoded</th>", html);
        Assert.Throws<ArgumentException>(() => grid.Add("three", a));
    }

    static TrainStep Step(long step, long total, double loss, AudioMetricValues? validation = null) =>
        new(step, total, new Dictionary<string, double> { ["loss"] = loss, ["mel"] = loss / 2 }, 2.0, TimeSpan.FromSeconds(total - step), 1e-4, validation);

    [Fact]
    public void Training_status_draws_the_loss_of_every_step_and_the_last_validation()
    {
        var html = TrainingStatusHtml.Render([Step(1, 3, 9), Step(2, 3, 5), Step(2, 3, 5, new AudioMetricValues(1.5, 1, 2, 3)), Step(3, 3, 4)]);
        Assert.Contains("<b>step 3/3</b>", html);
        Assert.Contains("validation at step 2: mel 1.500", html);
        var points = html[(html.IndexOf("points=\"", StringComparison.Ordinal) + 8)..];
        Assert.Equal(3, points[..points.IndexOf('"')].Split(' ').Length);
    }

    [Fact]
    public void Live_display_keeps_every_step_but_redraws_only_when_due()
    {
        var updates = new List<string>();
        var live = new LiveTrainingDisplay(updates.Add) { MinimumInterval = TimeSpan.FromHours(1) };
        live.Report(Step(1, 3, 9));
        live.Report(Step(2, 3, 5));
        live.Report(Step(2, 3, 5, new AudioMetricValues(1, 1, 1, 1)));
        live.Report(Step(3, 3, 4));
        Assert.Equal(4, live.Steps.Count);
        Assert.Equal(2, updates.Count);
        Assert.Contains("step 3/3", updates[^1]);
    }
}
