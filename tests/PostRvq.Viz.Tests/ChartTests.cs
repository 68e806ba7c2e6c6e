using System.Text.Json;
using PostRvq.Metrics;
using PostRvq.Training;

namespace PostRvq.Viz.Tests;

public class ChartTests
{
    static JsonElement Traces(Plotly.NET.GenericChart chart) =>
        JsonDocument.Parse(Figures.ToJson(chart)).RootElement.GetProperty("data");

    [Fact]
    public void Rate_points_carry_each_rows_mean_and_the_standard_error_of_its_clips_sorted_by_kbps()
    {
        var points = Charts.RatePoints(TestData.Grid(), AudioMetric.Mel);
        Assert.Equal(["rvq", "rvq", "rvq", "pq", "pq"], points.Select(p => p.Method));
        Assert.Equal([3.0, 6.0, 24.0, 3.0, 6.0], points.Select(p => p.Kbps));
        var rvq6 = points[1];
        Assert.Equal(3.0, rvq6.Value, 12);
        Assert.Equal(1.0 / Math.Sqrt(3), rvq6.Error, 12);
        Assert.Equal(0.0, points[2].Error);
        Assert.Equal(Math.Sqrt(0.5), Charts.RatePoints(TestData.Grid(), AudioMetric.Mel, ErrorBar.StandardDeviation)[3].Error, 12);
    }

    [Fact]
    public void Rate_distortion_chart_has_one_line_per_method_with_error_bars()
    {
        var traces = Traces(Charts.RateDistortion(TestData.Grid(), AudioMetric.SiSdr));
        Assert.Equal(2, traces.GetArrayLength());
        var rvq = traces[0];
        Assert.Equal("rvq", rvq.GetProperty("name").GetString());
        Assert.Equal([3.0, 6.0, 24.0], rvq.GetProperty("x").EnumerateArray().Select(x => x.GetDouble()));
        Assert.Equal([5.0, 7.0, 9.0], rvq.GetProperty("y").EnumerateArray().Select(x => x.GetDouble()));
        Assert.Equal(3, rvq.GetProperty("error_y").GetProperty("array").GetArrayLength());
        Assert.Equal("pq", traces[1].GetProperty("name").GetString());
    }

    [Fact]
    public void Spectrogram_chart_is_a_heatmap_over_seconds_and_hertz()
    {
        var data = Spectrograms.LogMel(TestData.Sine(440, 0.25), mels: 32);
        var trace = Traces(Charts.Spectrogram(data))[0];
        Assert.Equal("heatmap", trace.GetProperty("type").GetString());
        Assert.Equal(data.TimesSeconds.Length, trace.GetProperty("x").GetArrayLength());
        Assert.Equal(32, trace.GetProperty("y").GetArrayLength());
        Assert.Equal(32, trace.GetProperty("z").GetArrayLength());
    }

    [Fact]
    public void Long_waveforms_are_drawn_as_an_envelope_of_at_most_max_points()
    {
        var clip = TestData.Sine(200, seconds: 2);
        var trace = Traces(Charts.Waveform(clip, "original", maxPoints: 1000))[0];
        Assert.Equal("original", trace.GetProperty("name").GetString());
        Assert.InRange(trace.GetProperty("x").GetArrayLength(), 900, 1000);
        Assert.Equal(0.5, trace.GetProperty("y").EnumerateArray().Max(y => y.GetDouble()), 3);
        Assert.Equal(1200, Traces(Charts.Waveform(TestData.Sine(200, seconds: 0.05)))[0].GetProperty("x").GetArrayLength());
    }

    [Fact]
    public void Waveforms_overlay_one_named_line_per_clip()
    {
        var traces = Traces(Charts.Waveforms([TestData.Sine(200, 0.01), TestData.Sine(300, 0.01)], ["original", "decoded"]));
        Assert.Equal(["original", "decoded"], traces.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Throws<ArgumentException>(() => Charts.Waveforms([TestData.Sine(200, 0.01)], ["a", "b"]));
    }

    [Fact]
    public void Training_curves_read_the_runs_log_one_line_per_requested_key()
    {
        var folder = Directory.CreateTempSubdirectory("postrvq-viz-test-");
        try
        {
            var log = new TrainingLog(folder.FullName);
            for (var step = 1; step <= 4; step++)
                log.Append("train", step, new Dictionary<string, double> { ["mel"] = 10.0 / step, ["loss"] = 20.0 / step });
            log.Append("valid", 4, new Dictionary<string, double> { ["mel"] = 3.0 });
            var traces = Traces(Charts.TrainingCurves(log.FilePath, ["loss", "mel"]));
            Assert.Equal(["loss", "mel"], traces.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
            Assert.Equal([1.0, 2.0, 3.0, 4.0], traces[0].GetProperty("x").EnumerateArray().Select(x => x.GetDouble()));
            Assert.Equal(5.0, traces[0].GetProperty("y")[3].GetDouble(), 9);
            var withValidation = Traces(Charts.TrainingCurves(log.FilePath, ["mel"], includeValidation: true));
            Assert.Equal(["mel", "valid mel"], withValidation.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
            Assert.Equal(3.0, withValidation[1].GetProperty("y")[0].GetDouble());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Training_curves_from_progress_events_skip_validation_events()
    {
        var losses = new Dictionary<string, double> { ["loss"] = 1.0 };
        TrainStep[] steps =
        [
            new(1, 2, losses, 1, TimeSpan.Zero, 1e-4),
            new(2, 2, losses, 1, TimeSpan.Zero, 1e-4),
            new(2, 2, losses, 1, TimeSpan.Zero, 1e-4, new AudioMetricValues(1, 1, 1, 1)),
        ];
        var trace = Traces(Charts.TrainingCurves(steps))[0];
        Assert.Equal([1.0, 2.0], trace.GetProperty("x").EnumerateArray().Select(x => x.GetDouble()));
    }

    [Fact]
    public void Codebook_usage_bars_one_per_codebook()
    {
        CodebookUsageResult[] usage = [new(1024, 0.5, 300, 512, 8.2), new(1024, 0.25, 100, 768, 6.6)];
        var traces = Traces(Charts.CodebookUsage(usage));
        Assert.Equal("bar", traces[0].GetProperty("type").GetString());
        Assert.Equal([0.5, 0.25], traces[0].GetProperty("y").EnumerateArray().Select(y => y.GetDouble()));
        Assert.Equal(100.0 / 1024, traces[1].GetProperty("y")[1].GetDouble(), 12);
    }
}
