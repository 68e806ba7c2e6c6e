using System.Diagnostics;
using System.Text.RegularExpressions;
using PostRvq.Audio;
using PostRvq.Evaluation;

namespace PostRvq.Viz.Tests;

public class ReportTests
{
    static readonly string[] Versions = ["original", "continuous", "16 kbps"];
    static readonly string[] Methods = ["continuous", "rvq", "srvq"];

    static ReportInput Input() => new()
    {
        Title = "Tiny CPU run",
        Clips =
        [
            .. Enumerable.Range(0, 2).Select(i => new ReportClip(
                $"clip-{i}",
                [.. Versions.Select(v => KeyValuePair.Create(v, SyntheticAudio.Clip(0.25, 16000, seed: i * 10 + v.Length)))])),
        ],
        Rows =
        [
            // As QuantizerComparison writes it: the continuous row has no bitrate, latent error or codebooks.
            TestData.Row("continuous", double.NaN, [1.0, 1.2]) with { TrainingSteps = 1000 },
            .. from method in Methods.Skip(1)
               from kbps in new[] { 3.0, 16.0 }
               select TestData.Row(method, kbps, [kbps == 3 ? 4.0 : 2.0, 3.0]) with { TrainingSteps = 1200, LatentSnrDb = kbps, CodebookUsage = 0.5 },
        ],
        Configuration = [KeyValuePair.Create("model", "tiny-cpu"), KeyValuePair.Create("TorchSharp", "0.107.0")],
        Notes = ["Standardization helped at 3 kbps."],
    };

    static int Count(string text, string part) => Regex.Matches(text, Regex.Escape(part)).Count;

    [Fact]
    public void Report_writes_one_offline_page_with_players_charts_tables_csv_and_latex()
    {
        var folder = Directory.CreateTempSubdirectory("postrvq-report-");
        try
        {
            var input = Input();
            var files = Report.Write(folder.FullName, input, exportFigures: false);
            var html = File.ReadAllText(files.IndexHtml);

            Assert.Equal(Count(Figures.PlotlyJs, "plotly.js v2.28.0"), Count(html, "plotly.js v2.28.0"));
            Assert.Equal(1, Count(html, "if (!window.Plotly)"));
            Assert.DoesNotMatch(@"<script[^>]*\bsrc=", html);
            Assert.Equal(2 * Versions.Length, Count(html, "<audio controls src=\"data:audio/wav;base64,"));
            // 2 clips × 3 spectrograms, 5 rate–distortion charts (4 audio metrics and latent SNR), 1 codebook chart.
            Assert.Equal(6 + 5 + 1, Count(html, "window.Plotly.newPlot('"));
            foreach (var method in Methods) Assert.Contains($"<th>{method}</th>", html);
            Assert.Contains("TrainingSteps", html);
            Assert.Contains(">1200<", html);
            // The bitrate-less continuous row (mel 1.1) is the reference under both bitrates, and once in the full table.
            Assert.Equal(3, Count(html, "<td style=\"text-align:right\">1.100</td>"));
            Assert.Contains("Challenging Common Practices in Vector Quantized Neural Audio Compression", html);
            Assert.Contains("<td>tiny-cpu</td>", html);
            Assert.Contains("<p>Standardization helped at 3 kbps.</p>", html);

            Assert.Equal(input.Rows.Count, ComparisonCsv.Read(files.ResultsCsv).Count);
            var latex = File.ReadAllText(files.TablesTex);
            Assert.Equal(4, Count(latex, @"\begin{tabular}"));
            Assert.Contains(@"continuous & 1.100 & 1.100 \\", latex);
            Assert.Empty(files.Figures);
            Assert.NotEmpty(files.FigureNote);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Report_page_renders_its_charts_and_players_in_headless_chromium()
    {
        string chromium;
        try
        {
            chromium = Chromium.Find();
        }
        catch (ChromiumException e)
        {
            Assert.Contains("apt-get install -y chromium", e.Message);
            return;
        }
        var folder = Directory.CreateTempSubdirectory("postrvq-report-");
        try
        {
            var files = Report.Write(folder.FullName, Input(), exportFigures: false);
            var (dom, log) = DumpDom(chromium, files.IndexHtml, Path.Combine(folder.FullName, "profile"));
            Assert.Contains("class=\"main-svg\"", dom);
            Assert.Equal(2 * Versions.Length, Count(dom, "<audio controls"));
            Assert.DoesNotContain("Uncaught", log);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Report_shows_the_claims_with_their_intervals_and_the_papers_reference_table()
    {
        var folder = Directory.CreateTempSubdirectory("postrvq-report-");
        try
        {
            var input = Input();
            input.Claims = Claims.Test(input.Rows, new ClaimOptions { Resamples = 200 });
            input.Reference = PaperReference.Rows;
            var html = File.ReadAllText(Report.Write(folder.FullName, input, exportFigures: false).IndexHtml);
            Assert.Contains("<h2>The paper&#39;s claims</h2>", html);
            foreach (var claim in input.Claims) Assert.Contains(System.Net.WebUtility.HtmlEncode($"{claim.Number}. {claim.Statement}"), html);
            Assert.Contains("srvq @ 3 kbps − rvq @ 3 kbps", html);
            Assert.Contains("not measured (no finetuned decoder in the results)", html);
            // The charts of the first test and one forest plot of the claims.
            Assert.Equal(6 + 5 + 1 + 1, Count(html, "window.Plotly.newPlot('"));
            Assert.Contains("<h2>The paper beside us</h2>", html);
            Assert.Contains("16 kbps, no standardization", html);
            Assert.Contains("Different audio and a different, GPU-trained model", html);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Report_without_rows_still_writes_every_file_and_says_why_there_are_no_figures()
    {
        var folder = Directory.CreateTempSubdirectory("postrvq-report-");
        try
        {
            var input = Input();
            input.Rows = [];
            var files = Report.Write(folder.FullName, input, exportFigures: true);
            var html = File.ReadAllText(files.IndexHtml);
            Assert.Contains("No comparison rows were given.", html);
            Assert.Equal(2 * Versions.Length, Count(html, "<audio controls src=\"data:audio/wav;base64,"));
            Assert.Empty(ComparisonCsv.Read(files.ResultsCsv));
            Assert.True(File.Exists(files.TablesTex));
            Assert.Empty(files.Figures);
            Assert.Equal("There were no rows to draw.", files.FigureNote);
            Assert.False(Directory.Exists(Path.Combine(folder.FullName, "figures")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    static (string Dom, string Log) DumpDom(string chromium, string page, string profile)
    {
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                     "--virtual-time-budget=5000", "--dump-dom", new Uri(page).AbsoluteUri,
                 })
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var log = process.StandardError.ReadToEndAsync();
        var dom = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "Chromium did not finish within a minute.");
        return (dom, log.Result);
    }
}
