namespace PostRvq.Viz

open System
open System.Collections.Generic
open Deedle
open PostRvq.Evaluation

/// The scalar columns of a ComparisonRow, flat, so that Frame.ofRecords gives one column per field.
type ComparisonTableRow =
    { Method: string
      Split: string
      TargetKbps: float
      Kbps: float
      Codebooks: int
      Mel: float
      Stft: float
      SiSdr: float
      Snr: float
      LatentSnrDb: float
      LatentSnrStandardizedDb: float
      CodebookUsage: float
      Perplexity: float
      EntropyKbps: float
      Clips: int }

/// Deedle frames of comparison rows: the flat table, and method × bitrate pivots of one metric.
[<AbstractClass; Sealed>]
type ComparisonTables =
    /// The bitrate a row is tabulated under: what was asked for, or the exact rate when nothing was.
    static member BitrateOf(row: ComparisonRow) =
        if Double.IsNaN row.TargetKbps then row.Kbps else row.TargetKbps

    /// One frame row per comparison row (keys 0, 1, ...), one column per scalar field.
    static member ToFrame(rows: IEnumerable<ComparisonRow>) : Frame<int, string> =
        rows
        |> Seq.map (fun r ->
            { Method = r.Method; Split = r.Split; TargetKbps = r.TargetKbps; Kbps = r.Kbps; Codebooks = r.Codebooks
              Mel = r.Mel; Stft = r.Stft; SiSdr = r.SiSdr; Snr = r.Snr; LatentSnrDb = r.LatentSnrDb
              LatentSnrStandardizedDb = r.LatentSnrStandardizedDb
              CodebookUsage = r.CodebookUsage; Perplexity = r.Perplexity; EntropyKbps = r.EntropyKbps; Clips = r.Clips.Count })
        |> Frame.ofRecords

    /// A pivot: one frame row per distinct rowKey (in order of first appearance), one column per distinct
    /// columnKey (ascending), holding the mean of value over the rows that share both keys; missing where none do.
    /// Rows whose column key is NaN (the continuous model has no bitrate) have no column and are left out.
    static member PivotBy(rows: IEnumerable<ComparisonRow>,
                          rowKey: Func<ComparisonRow, string>,
                          columnKey: Func<ComparisonRow, float>,
                          value: Func<ComparisonRow, float>) : Frame<string, float> =
        // NaN equals nothing, not even itself, so it cannot key a column.
        let all = rows |> Seq.filter (fun r -> not (Double.IsNaN(columnKey.Invoke r))) |> Array.ofSeq
        let columns = all |> Array.map columnKey.Invoke |> Array.distinct |> Array.sort
        all
        |> Array.map rowKey.Invoke
        |> Array.distinct
        |> Array.map (fun key ->
            let cells =
                columns |> Array.map (fun column ->
                    let values = all |> Array.filter (fun r -> rowKey.Invoke r = key && columnKey.Invoke r = column) |> Array.map value.Invoke
                    column, (if values.Length = 0 then OptionalValue.Missing else OptionalValue(Array.average values)))
            key, Series.ofOptionalObservations (cells |> Array.map (fun (c, v) -> c, OptionalValue.asOption v)))
        |> Frame.ofRows

    /// Method × bitrate table of one metric (mean over rows of the same method and bitrate, e.g. several splits).
    static member Pivot(rows: IEnumerable<ComparisonRow>, metric: AudioMetric) : Frame<string, float> =
        ComparisonTables.PivotBy(rows, (fun r -> r.Method), (fun r -> ComparisonTables.BitrateOf r), (fun r -> AudioMetrics.ofRow metric r))

/// One row of a claims table: a paired comparison and the claim it supports.
type ClaimTableRow =
    { Claim: string
      Comparison: string
      MelDifference: float
      Low: float
      High: float
      Margin: float
      Clips: int
      Verdict: string }

/// Deedle frames of the paper's claims and of the paper's own reference numbers.
[<AbstractClass; Sealed>]
type ClaimTables =
    /// One frame row per comparison behind each claim (the headline first), with its interval and verdict;
    /// a claim that was not measured gets one row with NaN numbers.
    static member ToFrame(claims: IEnumerable<ClaimResult>) : Frame<int, string> =
        [| for claim in claims do
               let name = $"{claim.Number}. {claim.Statement}"
               if claim.Comparisons.Count = 0 then
                   yield { Claim = name; Comparison = claim.Rule; MelDifference = nan; Low = nan; High = nan; Margin = nan; Clips = 0
                           Verdict = claim.Verdict.Describe() }
               else
                   for c in claim.Listed do
                       let verdict = if claim.IsHeadline c then $"{c.Verdict.Describe()} (claim: {claim.Verdict.Describe()})" else c.Verdict.Describe()
                       yield { Claim = name; Comparison = c.Label; MelDifference = c.Difference.Mean; Low = c.Difference.Low; High = c.Difference.High
                               Margin = c.Margin; Clips = c.Difference.Clips; Verdict = verdict } |]
        |> Frame.ofRecords

    /// The paper's reference rows (PaperReference.Rows by default) as a frame keyed by version.
    static member Reference([<System.Runtime.InteropServices.Optional>] rows: IEnumerable<ReferenceRow> | null) : Frame<string, string> =
        let given = match rows with
                    | null -> PaperReference.Rows :> IEnumerable<ReferenceRow>
                    | r -> r
        given
        |> Seq.map (fun r -> r.Version, Series.ofObservations [ "mel", r.Mel; "STFT", r.Stft; "SI-SDR dB", r.SiSdr; "SNR dB", r.Snr ])
        |> Frame.ofRows
