namespace PostRvq.Viz

open System
open System.Collections.Generic
open System.ComponentModel
open System.IO
open System.Net
open System.Text
open Deedle
open Plotly.NET
open PostRvq.Audio
open PostRvq.Evaluation

/// One row of the demo table: a clip's id and its versions (original, reconstructions, ...) in column order.
type ReportClip =
    { Id: string
      Versions: IReadOnlyList<KeyValuePair<string, AudioClip>> }

/// What a report shows; set the properties with an object initializer (lists left unset are empty).
[<Sealed>]
type ReportInput() =
    member val Title = "PostRvq report" with get, set
    member val Rows: IReadOnlyList<ComparisonRow> = ([||] :> IReadOnlyList<ComparisonRow>) with get, set
    member val Clips: IReadOnlyList<ReportClip> = ([||] :> IReadOnlyList<ReportClip>) with get, set
    /// Log-mel spectrograms are drawn under the first this-many clips of the demo table.
    member val SpectrogramClips = 2 with get, set
    /// Settings and versions, shown as a two-column table.
    member val Configuration: IReadOnlyList<KeyValuePair<string, string>> = ([||] :> IReadOnlyList<KeyValuePair<string, string>>) with get, set
    /// The paper's claims tested on the rows (Claims.Test), shown as a table with intervals and a forest plot.
    member val Claims: IReadOnlyList<ClaimResult> = ([||] :> IReadOnlyList<ClaimResult>) with get, set
    /// The paper's own numbers (PaperReference.Rows), shown beside ours with PaperReference.Caption; empty hides them.
    member val Reference: IReadOnlyList<ReferenceRow> = ([||] :> IReadOnlyList<ReferenceRow>) with get, set
    /// Free paragraphs, shown last.
    member val Notes: IReadOnlyList<string> = ([||] :> IReadOnlyList<string>) with get, set

/// The files a report wrote. Figures lists the exported SVG and PNG files (empty when export was skipped);
/// FigureNote says why they were skipped, or is empty.
type ReportFiles =
    { IndexHtml: string
      ResultsCsv: string
      TablesTex: string
      Figures: IReadOnlyList<string>
      FigureNote: string }

/// Writes a results folder: one self-contained offline index.html (players, spectrograms, charts, tables),
/// results.csv, tables.tex and optionally static figures.
[<AbstractClass; Sealed>]
type Report =
    static let paper = "Challenging Common Practices in Vector Quantized Neural Audio Compression"

    static let style =
        "body { font-family: system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #222; max-width: 1500px; margin: 1.5em auto; padding: 0 1em; }\n"
        + "h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }\n"
        + ".subtitle { color: #666; margin-top: 0; }\n"
        + "table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1.2em; }\n"
        + "th, td { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; }\n"
        + "thead th { position: sticky; top: 0; background: #f3f3f3; z-index: 2; }\n"
        + "tbody th { text-align: left; font-weight: 600; }\n"
        + "audio { width: 170px; height: 30px; }\n"
        + ".charts { display: flex; flex-wrap: wrap; gap: 0.5em; }\n"

    static let encode (text: string) = nonNull (WebUtility.HtmlEncode text)

    static let metrics = [ "mel", AudioMetric.Mel; "stft", AudioMetric.Stft; "si-sdr", AudioMetric.SiSdr; "snr", AudioMetric.Snr ]

    static member private DataUrl(clip: AudioClip) =
        // WavWriter writes files only; a temporary file keeps one WAV encoder (16-bit PCM) in the code base.
        let path = Path.Combine(Path.GetTempPath(), $"postrvq-report-{Guid.NewGuid():N}.wav")
        try
            WavWriter.Write(path, clip)
            "data:audio/wav;base64," + Convert.ToBase64String(File.ReadAllBytes path)
        finally
            File.Delete path

    static member private At(row: ComparisonRow, kbps: float) =
        ComparisonRow(Method = row.Method, Split = row.Split, TargetKbps = kbps, Kbps = kbps, Codebooks = row.Codebooks,
                      LatentMse = row.LatentMse, LatentSnrDb = row.LatentSnrDb, LatentSnrStandardizedDb = row.LatentSnrStandardizedDb, CodebookUsage = row.CodebookUsage,
                      Perplexity = row.Perplexity, EntropyKbps = row.EntropyKbps, Mel = row.Mel, Stft = row.Stft,
                      SiSdr = row.SiSdr, Snr = row.Snr, FitSeconds = row.FitSeconds, EncodeSeconds = row.EncodeSeconds,
                      TrainingSteps = row.TrainingSteps, Clips = row.Clips)

    /// Rows for charts and pivots: a row without a bitrate (the continuous model) is repeated at every bitrate of
    /// the other rows, so it shows as the ceiling line and column-wise reference instead of a NaN column.
    static member private Placed(rows: ComparisonRow[]) =
        let hasRate (row: ComparisonRow) = not (Double.IsNaN(ComparisonTables.BitrateOf row))
        let rates = rows |> Array.filter hasRate |> Array.map ComparisonTables.BitrateOf |> Array.distinct |> Array.sort
        let places = if rates.Length = 0 then [| 0.0 |] else rates
        [| for row in rows do
               if hasRate row then yield row
               else for kbps in places -> Report.At(row, kbps) |]

    static member private LatentSnr(rows: ComparisonRow[]) =
        let quantized = rows |> Array.filter (fun r -> not (Double.IsNaN r.LatentSnrDb))
        if quantized.Length = 0 then None
        else
            quantized
            |> Array.groupBy (fun r -> r.Method)
            |> Array.map (fun (name, group) ->
                let sorted = group |> Array.sortBy (fun r -> r.Kbps)
                Chart.Line(x = (sorted |> Array.map (fun r -> r.Kbps)), y = (sorted |> Array.map (fun r -> r.LatentSnrDb)), Name = name, ShowMarkers = true))
            |> Chart.combine
            |> Chart.withXAxisStyle (TitleText = "Bitrate (kbps)")
            |> Chart.withYAxisStyle (TitleText = "Latent SNR, dB (↑)")
            |> Some

    /// Named rate–distortion charts: one per audio metric, plus latent SNR when some row has it.
    static member private RateDistortionCharts(rows: ComparisonRow[]) : (string * GenericChart) list =
        if rows.Length = 0 then []
        else
            let audio = metrics |> List.map (fun (name, metric) -> name, Charts.RateDistortion(rows, metric).WithTitle(AudioMetrics.label metric))
            match Report.LatentSnr rows with
            | Some chart -> audio @ [ "latent-snr", chart.WithTitle "Latent SNR, dB (↑)" ]
            | None -> audio

    static member private DemoTable(html: StringBuilder, clips: IReadOnlyList<ReportClip>, spectrogramClips: int) =
        let versions = clips |> Seq.collect (fun c -> c.Versions |> Seq.map (fun v -> v.Key)) |> Seq.distinct |> Array.ofSeq
        html.Append("<table>\n<thead><tr><th>clip</th>") |> ignore
        for version in versions do html.Append("<th>").Append(encode version).Append("</th>") |> ignore
        html.Append("</tr></thead>\n<tbody>\n") |> ignore
        clips |> Seq.iteri (fun index clip ->
            let find version = clip.Versions |> Seq.tryFind (fun v -> v.Key = version) |> Option.map (fun v -> v.Value)
            html.Append("<tr><th>").Append(encode clip.Id).Append("</th>") |> ignore
            for version in versions do
                match find version with
                | Some audio -> html.Append("<td><audio controls src=\"").Append(Report.DataUrl audio).Append("\"></audio></td>") |> ignore
                | None -> html.Append("<td>–</td>") |> ignore
            html.Append("</tr>\n") |> ignore
            if index < spectrogramClips then
                html.Append("<tr><th>log-mel</th>") |> ignore
                for version in versions do
                    match find version with
                    | Some audio ->
                        let chart = Charts.Spectrogram(audio, version).WithSize(300, 230).WithCompactMargins()
                        html.Append("<td>").Append(Figures.ToHtmlFragment chart).Append("</td>") |> ignore
                    | None -> html.Append("<td></td>") |> ignore
                html.Append("</tr>\n") |> ignore)
        html.Append("</tbody>\n</table>\n") |> ignore

    static member private RowsFrame(rows: ComparisonRow[]) =
        let frame = ComparisonTables.ToFrame rows
        frame.AddColumn("TrainingSteps", Series.ofValues (rows |> Array.map (fun r -> r.TrainingSteps)))
        frame

    static member private Html(input: ReportInput, rows: ComparisonRow[], placed: ComparisonRow[], rateDistortion: (string * GenericChart) list) =
        let html = StringBuilder()
        let section (title: string) = html.Append("<h2>").Append(encode title).Append("</h2>\n") |> ignore
        let chart (c: GenericChart) = html.Append(Figures.ToHtmlFragment c).Append('\n') |> ignore
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(encode input.Title).Append(" — ").Append(paper).Append("</title>\n<style>\n").Append(style).Append("</style>\n")
            .Append(Figures.PlotlyScriptTag).Append("\n</head>\n<body>\n<h1>").Append(encode input.Title).Append("</h1>\n")
            .Append("<p class=\"subtitle\">Reproducing “").Append(paper).Append("”</p>\n") |> ignore
        section "Listening examples"
        if input.Clips.Count = 0 then html.Append("<p>No clips were given.</p>\n") |> ignore
        else Report.DemoTable(html, input.Clips, input.SpectrogramClips)
        section "Rate–distortion"
        if rateDistortion.IsEmpty then html.Append("<p>No comparison rows were given.</p>\n") |> ignore
        else
            html.Append("<div class=\"charts\">\n") |> ignore
            for _, c in rateDistortion do chart (c.WithSize(560, 380))
            html.Append("</div>\n") |> ignore
        section "Comparison tables (method × bitrate)"
        if rows.Length > 0 then
            html.Append("<p>Rows without a bitrate (the continuous model) are repeated under every bitrate as the reference.</p>\n") |> ignore
            for _, metric in metrics do
                html.Append("<h3>").Append(encode (AudioMetrics.label metric)).Append("</h3>\n")
                    .Append(TableExport.ToHtml(ComparisonTables.Pivot(placed, metric), 3, "method")).Append('\n') |> ignore
            html.Append("<h3>All rows (TrainingSteps: steps each model was trained)</h3>\n")
                .Append(TableExport.ToHtml(Report.RowsFrame rows, 3, "#")).Append('\n') |> ignore
        section "The paper's claims"
        if input.Claims.Count = 0 then html.Append("<p>The claims were not tested.</p>\n") |> ignore
        else
            html.Append("<p>Each comparison is a paired bootstrap over the test clips: the mean per-clip mel difference, system minus the one it is compared with, ")
                .Append("and its interval. A claim holds when the whole interval lies on its side of the margin, is refuted when it lies on the other side, ")
                .Append("and is not resolved when it straddles it.</p>\n")
                .Append(TableExport.ToHtml(ClaimTables.ToFrame input.Claims, 3, "#")).Append('\n') |> ignore
            if input.Claims |> Seq.exists (fun (c: ClaimResult) -> c.Comparisons.Count > 0) then
                let comparisons = input.Claims |> Seq.sumBy (fun (c: ClaimResult) -> c.Comparisons.Count)
                chart (Charts.Claims(input.Claims).WithSize(900, 120 + 28 * comparisons))
        if input.Reference.Count > 0 then
            section "The paper beside us"
            html.Append("<p>").Append(encode PaperReference.Caption).Append("</p>\n")
                .Append(TableExport.ToHtml(ClaimTables.Reference input.Reference, 2, "version")).Append('\n') |> ignore
        section "Codebook usage"
        if rows |> Array.exists (fun r -> not (Double.IsNaN r.CodebookUsage)) then chart (Charts.CodebookUsage(rows).WithSize(700, 380))
        else html.Append("<p>No row has a codebook usage.</p>\n") |> ignore
        section "Configuration and versions"
        html.Append("<table>\n<thead><tr><th>setting</th><th>value</th></tr></thead>\n<tbody>\n") |> ignore
        for setting in input.Configuration do
            html.Append("<tr><th>").Append(encode setting.Key).Append("</th><td>").Append(encode setting.Value).Append("</td></tr>\n") |> ignore
        html.Append("</tbody>\n</table>\n") |> ignore
        section "Notes"
        for note in input.Notes do html.Append("<p>").Append(encode note).Append("</p>\n") |> ignore
        html.Append("</body>\n</html>\n").ToString()

    static member private Latex(rows: ComparisonRow[]) =
        let text = StringBuilder("% Method × bitrate tables; needs \\usepackage{booktabs}.\n")
        for _, metric in metrics do
            text.Append("% ").Append(AudioMetrics.label metric).Append('\n')
                .Append(TableExport.ToLatex(ComparisonTables.Pivot(rows, metric), 3, "method")).Append('\n') |> ignore
        text.ToString()

    static member private ExportFigures(folder: string, charts: (string * GenericChart) list) =
        try
            Chromium.Find() |> ignore
            let figures = Path.Combine(folder, "figures")
            Directory.CreateDirectory figures |> ignore
            let files =
                [| for name, chart in charts do
                       let svg = Path.Combine(figures, name + ".svg")
                       let png = Path.Combine(figures, name + ".png")
                       FigureExport.SaveSvg(chart, svg)
                       FigureExport.SavePng(chart, png)
                       yield svg
                       yield png |]
            files :> IReadOnlyList<string>, ""
        with
        | :? ChromiumException as e -> [||], $"Static figures were not exported: {e.Message}"
        | :? Win32Exception as e -> [||], $"Static figures were not exported: Chromium could not start ({e.Message})."

    /// Writes folder/index.html, folder/results.csv, folder/tables.tex and, with exportFigures and Chromium,
    /// folder/figures/*.svg and *.png of the rate–distortion charts. A missing Chromium never fails the report;
    /// the returned FigureNote says so instead.
    static member Write(folder: string, input: ReportInput, exportFigures: bool) : ReportFiles =
        ArgumentException.ThrowIfNullOrEmpty folder
        ArgumentNullException.ThrowIfNull input
        if input.SpectrogramClips < 0 then invalidArg (nameof input) "SpectrogramClips cannot be negative."
        Directory.CreateDirectory folder |> ignore
        let rows = Array.ofSeq input.Rows
        let placed = Report.Placed rows
        let rateDistortion = Report.RateDistortionCharts placed
        let index = Path.Combine(folder, "index.html")
        File.WriteAllText(index, Report.Html(input, rows, placed, rateDistortion), UTF8Encoding(false))
        let csv = Path.Combine(folder, "results.csv")
        ComparisonCsv.Write(csv, rows)
        let tex = Path.Combine(folder, "tables.tex")
        File.WriteAllText(tex, (if rows.Length = 0 then "% No comparison rows.\n" else Report.Latex placed), UTF8Encoding(false))
        let figures, note =
            if not exportFigures then ([||] :> IReadOnlyList<string>), "Static figures were not requested."
            elif rateDistortion.IsEmpty then ([||] :> IReadOnlyList<string>), "There were no rows to draw."
            else Report.ExportFigures(folder, rateDistortion)
        { IndexHtml = index; ResultsCsv = csv; TablesTex = tex; Figures = figures; FigureNote = note }
