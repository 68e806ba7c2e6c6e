using System.Globalization;
using System.Net;
using System.Text;
using PostRvq.Evaluation;

namespace PostRvq.Interactive;

/// <summary>Comparison rows as an HTML table, one line per method and bitrate; NaN cells are shown as "–".</summary>
public static class ComparisonTableHtml
{
    static readonly (string Heading, Func<ComparisonRow, double> Value, string Format)[] NumberColumns =
    [
        ("Target kbps", r => r.TargetKbps, "0.##"),
        ("kbps", r => r.Kbps, "0.###"),
        ("Codebooks", r => r.Codebooks, "0"),
        ("Mel ↓", r => r.Mel, "0.000"),
        ("STFT ↓", r => r.Stft, "0.000"),
        ("SI-SDR dB ↑", r => r.SiSdr, "0.00"),
        ("SNR dB ↑", r => r.Snr, "0.00"),
        ("Latent SNR dB", r => r.LatentSnrDb, "0.00"),
        ("Usage", r => r.CodebookUsage, "0.000"),
        ("Entropy kbps", r => r.EntropyKbps, "0.###"),
        ("Clips", r => r.Clips.Count, "0"),
        // The equal-budget comparison hinges on this column; 0 means the steps were not recorded.
        ("Training steps", r => r.TrainingSteps > 0 ? r.TrainingSteps : double.NaN, "#,0"),
    ];

    public static string Render(IEnumerable<ComparisonRow> rows)
    {
        var html = new StringBuilder("<table class=\"postrvq-comparison\">\n<thead><tr><th>Method</th><th>Split</th>");
        foreach (var column in NumberColumns) html.Append("<th style=\"text-align:right\">").Append(WebUtility.HtmlEncode(column.Heading)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(row.Method)).Append("</td><td>").Append(WebUtility.HtmlEncode(row.Split)).Append("</td>");
            foreach (var column in NumberColumns)
            {
                var value = column.Value(row);
                html.Append("<td style=\"text-align:right\">")
                    .Append(double.IsNaN(value) ? "–" : value.ToString(column.Format, CultureInfo.InvariantCulture)).Append("</td>");
            }
            html.Append("</tr>\n");
        }
        return html.Append("</tbody>\n</table>").ToString();
    }
}
