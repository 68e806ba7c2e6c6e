namespace PostRvq.Viz

open System
open System.IO
open System.Net
open System.Runtime.InteropServices
open System.Text.RegularExpressions
open Plotly.NET

/// Static SVG and PNG files of charts, rendered by plotly.js's own toImage inside headless Chromium.
[<AbstractClass; Sealed>]
type FigureExport =
    static member private Render(chart: GenericChart, format: string, width: int, height: int) : string =
        if width < 1 || height < 1 then invalidArg (nameof width) "Width and height must be positive."
        let page = Path.Combine(Path.GetTempPath(), $"postrvq-figure-{Guid.NewGuid():N}.html")
        let script =
            $"<script>window.Plotly.toImage(%s{Figures.ToJson chart}, {{format: '{format}', width: {width}, height: {height}}})"
            + ".then(function (url) { var out = document.createElement('pre'); out.id = 'postrvq-image'; out.textContent = url; document.body.appendChild(out); })"
            + ".catch(function (e) { var out = document.createElement('pre'); out.id = 'postrvq-error'; out.textContent = String(e); document.body.appendChild(out); });</script>"
        File.WriteAllText(page, $"<!DOCTYPE html><html><head><meta charset=\"utf-8\">{Figures.PlotlyScriptTag}</head><body>{script}</body></html>")
        try
            let dom = Chromium.DumpDom(page, 30000, TimeSpan.FromMinutes 2.0)
            let image = Regex.Match(dom, "<pre id=\"postrvq-image\">(.*?)</pre>", RegexOptions.Singleline)
            if image.Success then nonNull (WebUtility.HtmlDecode image.Groups[1].Value)
            else
                let error = Regex.Match(dom, "<pre id=\"postrvq-error\">(.*?)</pre>", RegexOptions.Singleline)
                raise (ChromiumException(if error.Success then $"plotly.js could not render the figure: {nonNull (WebUtility.HtmlDecode error.Groups[1].Value)}"
                                         else "Chromium returned no image (plotly.js did not finish within the time budget)."))
        finally
            File.Delete page

    /// The chart as SVG markup.
    static member ToSvg(chart: GenericChart,
                        [<Optional; DefaultParameterValue(800)>] width: int,
                        [<Optional; DefaultParameterValue(500)>] height: int) : string =
        let url = FigureExport.Render(chart, "svg", width, height)
        let comma = url.IndexOf ','
        Uri.UnescapeDataString(url.Substring(comma + 1))

    /// The chart as PNG bytes.
    static member ToPng(chart: GenericChart,
                        [<Optional; DefaultParameterValue(800)>] width: int,
                        [<Optional; DefaultParameterValue(500)>] height: int) : byte[] =
        let url = FigureExport.Render(chart, "png", width, height)
        Convert.FromBase64String(url.Substring(url.IndexOf ',' + 1))

    static member SaveSvg(chart: GenericChart, path: string,
                          [<Optional; DefaultParameterValue(800)>] width: int,
                          [<Optional; DefaultParameterValue(500)>] height: int) =
        File.WriteAllText(path, FigureExport.ToSvg(chart, width, height))

    static member SavePng(chart: GenericChart, path: string,
                          [<Optional; DefaultParameterValue(800)>] width: int,
                          [<Optional; DefaultParameterValue(500)>] height: int) =
        File.WriteAllBytes(path, FigureExport.ToPng(chart, width, height))
