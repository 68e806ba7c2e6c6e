namespace PostRvq.Viz.Tests;

public class FigureTests
{
    [Fact]
    public void Html_document_inlines_plotly_js_and_needs_no_network()
    {
        var html = Figures.ToHtmlDocument(Charts.RateDistortion(TestData.Grid(), AudioMetric.Mel), "R-D");
        Assert.Contains("plotly.js v2.28.0", html);
        Assert.Contains("Plotly.newPlot(", html);
        Assert.Contains("<title>R-D</title>", html);
        // plotly.js mentions its CDN only as the default for geo maps' topojson, which these charts do not use.
        Assert.DoesNotMatch(@"<script[^>]*\bsrc=", html);
        Assert.DoesNotContain("require.config", html);
    }

    [Fact]
    public void Fragments_draw_into_their_own_div_and_cannot_close_the_script_early()
    {
        var chart = Charts.RateDistortion([TestData.Row("</script><b>", 3, [1.0])], AudioMetric.Mel);
        var fragment = Figures.ToHtmlFragment(chart, "fig1");
        Assert.StartsWith("<div id=\"fig1\" class=\"postrvq-plotly\"></div>", fragment);
        Assert.Contains("newPlot('fig1'", fragment);
        Assert.Equal(1, fragment.Split("</script>").Length - 1);
    }

    [Fact]
    public void Svg_export_renders_through_chromium_or_says_how_to_install_it()
    {
        var chart = Charts.RateDistortion(TestData.Grid(), AudioMetric.Mel);
        string? chromium = null;
        try
        {
            chromium = Chromium.Find();
        }
        catch (ChromiumException e)
        {
            Assert.Contains("apt-get install -y chromium", e.Message);
            Assert.Throws<ChromiumException>(() => FigureExport.ToSvg(chart));
            return;
        }
        Assert.True(File.Exists(chromium));
        var svg = FigureExport.ToSvg(chart, 640, 400);
        Assert.StartsWith("<svg", svg);
        Assert.Contains("width=\"640\"", svg);
        Assert.Contains("rvq", svg);
    }
}
