using System.Net;
using System.Text;

namespace PostRvq.Interactive;

/// <summary>A clip grid as an HTML table: a header row of versions, then per clip a player and spectrogram per version.</summary>
public static class ClipGridHtml
{
    public static string Render(ClipGrid grid)
    {
        var html = new StringBuilder("<table class=\"postrvq-clip-grid\">\n<thead><tr><th></th>");
        foreach (var version in grid.Versions) html.Append("<th>").Append(WebUtility.HtmlEncode(version)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in grid.Rows)
        {
            html.Append("<tr><th>").Append(WebUtility.HtmlEncode(row.Name)).Append("</th>");
            foreach (var clip in row.Versions)
            {
                html.Append("<td style=\"vertical-align:top\">").Append(AudioHtml.Player(clip))
                    .Append("<div>").Append(AudioHtml.Caption(clip)).Append("</div>");
                if (clip.Length > 0) html.Append(AudioHtml.Spectrogram(clip, width: 380, height: 200));
                html.Append("</td>");
            }
            html.Append("</tr>\n");
        }
        return html.Append("</tbody>\n</table>").ToString();
    }
}
