namespace PostRvq.Viz

open System
open System.Globalization
open System.Runtime.InteropServices
open System.Text
open Deedle

/// Writes Deedle frames as Markdown (GitHub pipe tables) and LaTeX (booktabs) tables. Numbers use the invariant
/// culture with a fixed number of decimals; missing values and NaN print as an en dash (Markdown) or "--" (LaTeX).
[<AbstractClass; Sealed>]
type TableExport =
    static member private Key(key: objnull) =
        match key with
        | null -> ""
        | :? float as f -> f.ToString("0.###", CultureInfo.InvariantCulture)
        | :? IFormattable as f -> f.ToString(null, CultureInfo.InvariantCulture)
        | other -> other.ToString() |> Option.ofObj |> Option.defaultValue ""

    static member private Cell(value: obj, decimals: int, missing: string) =
        match value with
        | :? float as f when Double.IsNaN f -> missing
        | :? float as f -> f.ToString("F" + string decimals, CultureInfo.InvariantCulture)
        | :? float32 as f when Single.IsNaN f -> missing
        | :? float32 as f -> float f |> fun d -> d.ToString("F" + string decimals, CultureInfo.InvariantCulture)
        | :? IFormattable as f -> f.ToString(null, CultureInfo.InvariantCulture)
        | other -> string other

    static member private Cells(frame: Frame<'R, 'C>, decimals: int, missing: string) =
        let columns = Array.ofSeq frame.ColumnKeys
        let series = columns |> Array.map (fun c -> frame.GetColumn<obj>(c))
        [| for r in frame.RowKeys ->
               TableExport.Key(box r),
               series |> Array.map (fun s ->
                   let v = s.TryGet r
                   if v.HasValue then TableExport.Cell(v.Value, decimals, missing) else missing) |],
        columns |> Array.map (box >> TableExport.Key)

    static member private IsNumericColumn(frame: Frame<'R, 'C>, column: 'C) =
        let s = frame.GetColumn<obj>(column)
        s.Values |> Seq.forall (fun v -> v :? float || v :? float32 || v :? int || v :? int64)

    /// A GitHub Markdown table: the row keys first (under rowHeader), numeric columns right-aligned.
    static member ToMarkdown(frame: Frame<'R, 'C>,
                             [<Optional; DefaultParameterValue(3)>] decimals: int,
                             [<Optional; DefaultParameterValue("")>] rowHeader: string) : string =
        let rows, headers = TableExport.Cells(frame, decimals, "–")
        let escape (s: string) = s.Replace("|", "\\|")
        let align = frame.ColumnKeys |> Seq.map (fun c -> if TableExport.IsNumericColumn(frame, c) then "---:" else "---")
        let line (cells: string seq) = "| " + String.Join(" | ", cells) + " |"
        let text = StringBuilder()
        text.Append(line (Seq.append [ escape rowHeader ] (Seq.map escape headers))).Append('\n')
            .Append(line (Seq.append [ "---" ] align)).Append('\n') |> ignore
        for key, cells in rows do
            text.Append(line (Seq.append [ escape key ] (Seq.map escape cells))).Append('\n') |> ignore
        text.ToString()

    /// An HTML table (for notebooks): row keys in the first column, numbers right-aligned, text HTML-encoded.
    static member ToHtml(frame: Frame<'R, 'C>,
                         [<Optional; DefaultParameterValue(3)>] decimals: int,
                         [<Optional; DefaultParameterValue("")>] rowHeader: string) : string =
        let rows, headers = TableExport.Cells(frame, decimals, "–")
        let encode (s: string) = nonNull (Net.WebUtility.HtmlEncode s)
        let numeric = frame.ColumnKeys |> Seq.map (fun c -> TableExport.IsNumericColumn(frame, c)) |> Array.ofSeq
        let cell (tag: string) (isNumber: bool) (text: string) =
            let style = if isNumber then " style=\"text-align:right\"" else ""
            $"<{tag}{style}>{encode text}</{tag}>"
        let text = StringBuilder("<table class=\"postrvq-table\">\n<thead><tr>")
        text.Append(cell "th" false rowHeader) |> ignore
        headers |> Array.iteri (fun i h -> text.Append(cell "th" numeric[i] h) |> ignore)
        text.Append("</tr></thead>\n<tbody>\n") |> ignore
        for key, cells in rows do
            text.Append("<tr>").Append(cell "th" false key) |> ignore
            cells |> Array.iteri (fun i c -> text.Append(cell "td" numeric[i] c) |> ignore)
            text.Append("</tr>\n") |> ignore
        text.Append("</tbody>\n</table>").ToString()

    /// A LaTeX tabular with booktabs rules (\usepackage{booktabs}); special characters are escaped.
    static member ToLatex(frame: Frame<'R, 'C>,
                          [<Optional; DefaultParameterValue(3)>] decimals: int,
                          [<Optional; DefaultParameterValue("")>] rowHeader: string) : string =
        let rows, headers = TableExport.Cells(frame, decimals, "--")
        let escape (s: string) =
            let text = StringBuilder()
            for ch in s do
                match ch with
                | '\\' -> text.Append(@"\textbackslash{}") |> ignore
                | '&' | '%' | '$' | '#' | '_' | '{' | '}' -> text.Append('\\').Append(ch) |> ignore
                | '~' -> text.Append(@"\textasciitilde{}") |> ignore
                | '^' -> text.Append(@"\textasciicircum{}") |> ignore
                | other -> text.Append(other) |> ignore
            text.ToString()
        let spec = frame.ColumnKeys |> Seq.map (fun c -> if TableExport.IsNumericColumn(frame, c) then "r" else "l") |> String.concat ""
        let line (cells: string seq) = String.Join(" & ", cells) + @" \\"
        let text = StringBuilder()
        text.Append(@"\begin{tabular}{l").Append(spec).Append("}\n")
            .Append(@"\toprule").Append('\n')
            .Append(line (Seq.append [ escape rowHeader ] (Seq.map escape headers))).Append('\n')
            .Append(@"\midrule").Append('\n') |> ignore
        for key, cells in rows do
            text.Append(line (Seq.append [ escape key ] (Seq.map escape cells))).Append('\n') |> ignore
        text.Append(@"\bottomrule").Append('\n').Append(@"\end{tabular}").Append('\n') |> ignore
        text.ToString()
