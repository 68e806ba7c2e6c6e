namespace PostRvq.Viz

open System
open System.IO
open System.Runtime.InteropServices
open System.Text
open Plotly.NET

/// Turns charts into HTML that works offline: plotly.js is the copy embedded in Plotly.NET, inlined.
[<AbstractClass; Sealed>]
type Figures =
    static let plotlyJs =
        lazy
            (let assembly = typeof<GenericChart>.Assembly
             let name =
                 assembly.GetManifestResourceNames()
                 |> Array.tryFind (fun n -> n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
                 |> Option.defaultWith (fun () -> failwith "Plotly.NET carries no embedded plotly.js.")
             use stream = nonNull (assembly.GetManifestResourceStream name)
             use reader = new StreamReader(stream)
             reader.ReadToEnd())

    /// plotly.js source (the minified build Plotly.NET embeds).
    static member PlotlyJs = plotlyJs.Value

    /// A script tag that defines window.Plotly once. The bundle is run with AMD and CommonJS hidden, so that it
    /// still sets the global under a page that has require.js (classic Jupyter).
    static member PlotlyScriptTag =
        "<script type=\"text/javascript\">if (!window.Plotly) { (function (define, module, exports) {\n"
        + plotlyJs.Value
        + "\n}).call(window); }</script>"

    /// The chart's figure JSON: {"data": [...], "layout": {...}, "frames": []}.
    static member ToJson(chart: GenericChart) = GenericChart.toFigureJson chart

    /// A div and a script that draws the chart into it once window.Plotly exists (it polls, so the script that
    /// defines Plotly may come before or after it on the page).
    static member ToHtmlFragment(chart: GenericChart, [<Optional; DefaultParameterValue("")>] divId: string) =
        let id = if String.IsNullOrEmpty divId then "postrvq-" + Guid.NewGuid().ToString("N") else divId
        let json = (Figures.ToJson chart).Replace("</", "<\\/")
        StringBuilder()
            .Append("<div id=\"").Append(id).Append("\" class=\"postrvq-plotly\"></div>\n")
            .Append("<script type=\"text/javascript\">(function () { var figure = ").Append(json).Append(";\n")
            .Append("  function draw() { if (window.Plotly) { window.Plotly.newPlot('").Append(id)
            .Append("', figure.data, figure.layout, {responsive: true}); } else { setTimeout(draw, 50); } }\n")
            .Append("  draw(); })();</script>")
            .ToString()

    /// A whole HTML page with plotly.js inlined: opens offline, in any browser, with no other file.
    static member ToHtmlDocument(chart: GenericChart, [<Optional; DefaultParameterValue("PostRvq figure")>] title: string) =
        StringBuilder()
            .Append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(Net.WebUtility.HtmlEncode title).Append("</title>\n")
            .Append(Figures.PlotlyScriptTag).Append("\n</head>\n<body>\n")
            .Append(Figures.ToHtmlFragment chart).Append("\n</body>\n</html>\n")
            .ToString()

    /// Writes ToHtmlDocument to path (UTF-8), creating its folder.
    static member SaveHtml(chart: GenericChart, path: string, [<Optional; DefaultParameterValue("PostRvq figure")>] title: string) =
        let folder = nonNull (Path.GetDirectoryName(Path.GetFullPath path))
        Directory.CreateDirectory folder |> ignore
        File.WriteAllText(path, Figures.ToHtmlDocument(chart, title), UTF8Encoding(false))
