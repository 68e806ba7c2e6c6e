namespace PostRvq.Viz

open System
open System.Collections.Generic
open System.Runtime.InteropServices
open Plotly.NET
open PostRvq.Audio
open PostRvq.Evaluation
open PostRvq.Metrics
open PostRvq.Training

/// One point of a rate–distortion curve: a method's mean metric at a bitrate and its error bar half-width.
type RatePoint =
    { Method: string
      Kbps: float
      Value: float
      Error: float
      Clips: int }

/// Plotly.NET charts of spectrograms, waveforms, training curves, rate–distortion and codebook usage.
/// Every method returns a Plotly.NET GenericChart; Figures turns one into HTML, SVG or PNG.
[<AbstractClass; Sealed>]
type Charts =
    static member private Axes(chart: GenericChart, xTitle: string, yTitle: string) =
        chart
        |> Chart.withXAxisStyle (TitleText = xTitle)
        |> Chart.withYAxisStyle (TitleText = yTitle)

    static member private Keys(keys: string[] | null) : string seq =
        match keys with
        | null -> Seq.empty
        | given -> given

    /// A heatmap of a computed spectrogram: time in seconds across, frequency in Hz up, level in dB as colour.
    static member Spectrogram(data: SpectrogramData, [<Optional; DefaultParameterValue("")>] title: string) =
        Chart.Heatmap(zData = data.Db, X = data.TimesSeconds, Y = data.FrequenciesHz, ColorScale = StyleParam.Colorscale.Viridis)
        |> Chart.withColorBarStyle (TitleText = "dB")
        |> fun chart -> Charts.Axes(chart, "Time (s)", "Frequency (Hz)")
        |> Chart.withTitle title

    /// The log-mel spectrogram of a clip (80 bands, n_fft 1024, hop 256 unless given).
    static member Spectrogram(clip: AudioClip,
                              [<Optional; DefaultParameterValue("")>] title: string,
                              [<Optional; DefaultParameterValue(80)>] mels: int) =
        Charts.Spectrogram(Spectrograms.LogMel(clip, mels), title)

    /// The waveform against time as a line named `name` (combine several with Chart.combine to overlay them).
    /// Long clips are drawn as their min/max envelope over at most maxPoints points.
    static member Waveform(clip: AudioClip,
                           [<Optional; DefaultParameterValue("waveform")>] name: string,
                           [<Optional; DefaultParameterValue(4000)>] maxPoints: int) =
        ArgumentNullException.ThrowIfNull clip
        let samples = clip.Samples
        let rate = float clip.SampleRate
        let times, values =
            if samples.Length <= maxPoints then
                Array.init samples.Length (fun i -> float i / rate), Array.map float samples
            else
                // Two points per bucket (its minimum, then its maximum) keep peaks visible at any zoom-out.
                let buckets = max 1 (maxPoints / 2)
                let size = int (ceil (float samples.Length / float buckets))
                [| for start in 0 .. size .. samples.Length - 1 do
                       let stop = min samples.Length (start + size)
                       let bucket = samples[start .. stop - 1]
                       let t = float start / rate
                       yield t, float (Array.min bucket)
                       yield t + float (stop - start) / rate / 2.0, float (Array.max bucket) |]
                |> Array.unzip
        Chart.Line(x = times, y = values, Name = name)
        |> fun chart -> Charts.Axes(chart, "Time (s)", "Amplitude")

    /// Several waveforms on one set of axes, one line per clip, named in order (e.g. original and reconstruction).
    static member Waveforms(clips: IEnumerable<AudioClip>, names: IEnumerable<string>,
                            [<Optional; DefaultParameterValue(4000)>] maxPoints: int) =
        let all = Array.ofSeq clips
        let labels = Array.ofSeq names
        if all.Length = 0 || all.Length <> labels.Length then
            invalidArg (nameof names) $"Give one name per clip ({all.Length} clips, {labels.Length} names)."
        Array.map2 (fun clip name -> Charts.Waveform(clip, name, maxPoints)) all labels
        |> Chart.combine

    /// Lines of the chosen keys against the step (all numeric keys but "step" if none are given), optionally
    /// smoothed by a trailing moving average over `smoothing` rows.
    static member private Curves(rows: IReadOnlyList<IReadOnlyDictionary<string, float>>, keys: string seq, smoothing: int, prefix: string, dash: bool) =
        let wanted =
            let given = Array.ofSeq keys
            if given.Length > 0 then given
            else rows |> Seq.collect (fun r -> r.Keys) |> Seq.filter (fun k -> k <> "step") |> Seq.distinct |> Array.ofSeq
        [ for key in wanted do
              let points = [| for r in rows do match r.TryGetValue key with
                                                | true, v -> yield r["step"], v
                                                | _ -> () |]
              if points.Length > 0 then
                  let window = max 1 smoothing
                  let smoothed =
                      points |> Array.mapi (fun i (step, _) ->
                          let from = max 0 (i - window + 1)
                          step, (points[from..i] |> Array.averageBy snd))
                  let chart = Chart.Line(x = Array.map fst smoothed, y = Array.map snd smoothed, Name = prefix + key)
                  yield if dash then chart |> Chart.withLineStyle (Dash = StyleParam.DrawingStyle.Dash) else chart ]

    /// Training curves of a run's log.jsonl: one solid line per key of the train rows (every loss if no keys are
    /// given) and, with includeValidation, a dashed "valid KEY" line per key of the validation rows.
    static member TrainingCurves(logPath: string,
                                 [<Optional>] keys: string[] | null,
                                 [<Optional; DefaultParameterValue(1)>] smoothing: int,
                                 [<Optional; DefaultParameterValue(false)>] includeValidation: bool) =
        let train = TrainingLog.Read(logPath, "train")
        let lines = Charts.Curves(train, Charts.Keys keys, smoothing, "", false)
        let validation =
            if includeValidation then
                let valid = TrainingLog.Read(logPath, "valid")
                Charts.Curves(valid, Charts.Keys keys, 1, "valid ", true)
            else []
        if List.isEmpty lines && List.isEmpty validation then
            invalidArg (nameof logPath) $"{logPath} has no training rows with the requested keys."
        Chart.combine (lines @ validation)
        |> fun chart -> Charts.Axes(chart, "Step", "Loss")

    /// Training curves of progress events collected in memory (training rows only; validation events skipped).
    static member TrainingCurves(steps: IEnumerable<TrainStep>,
                                 [<Optional>] keys: string[] | null,
                                 [<Optional; DefaultParameterValue(1)>] smoothing: int) =
        let rows: IReadOnlyList<IReadOnlyDictionary<string, float>> =
            [| for s in steps do
                   if not s.IsValidation then
                       let row = Dictionary<string, float>(s.Losses)
                       row["step"] <- float s.Step
                       yield row :> IReadOnlyDictionary<string, float> |]
        if rows.Count = 0 then invalidArg (nameof steps) "There are no training steps to plot."
        Chart.combine (Charts.Curves(rows, Charts.Keys keys, smoothing, "", false))
        |> fun chart -> Charts.Axes(chart, "Step", "Loss")

    /// Rate–distortion points: per method and bitrate, the row's mean metric and the error bar from its per-clip
    /// values (ComparisonRow.Clips); rows without clips get a zero-width bar. Sorted by method order, then kbps.
    static member RatePoints(rows: IEnumerable<ComparisonRow>,
                             metric: AudioMetric,
                             [<Optional; DefaultParameterValue(ErrorBar.StandardError)>] errorBar: ErrorBar) : IReadOnlyList<RatePoint> =
        let all = Array.ofSeq rows
        let methods = all |> Array.map (fun r -> r.Method) |> Array.distinct
        [| for m in methods do
               for row in all |> Array.filter (fun r -> r.Method = m) |> Array.sortBy (fun r -> r.Kbps) do
                   let clips = row.Clips |> Seq.map (AudioMetrics.ofClip metric) |> Array.ofSeq
                   let error = if clips.Length = 0 then 0.0 else (Spread.Of clips).HalfWidth errorBar
                   yield { Method = m; Kbps = row.Kbps; Value = AudioMetrics.ofRow metric row; Error = error; Clips = clips.Length } |]

    /// Metric against kbps, one line per method, with error bars (standard error of the mean over clips by default).
    static member RateDistortion(rows: IEnumerable<ComparisonRow>,
                                 metric: AudioMetric,
                                 [<Optional; DefaultParameterValue(ErrorBar.StandardError)>] errorBar: ErrorBar) =
        let points = Charts.RatePoints(rows, metric, errorBar)
        if points.Count = 0 then invalidArg (nameof rows) "There are no rows to plot."
        points
        |> Seq.groupBy (fun p -> p.Method)
        |> Seq.map (fun (name, group) ->
            let ps = Array.ofSeq group
            let line = Chart.Line(x = (ps |> Array.map (fun p -> p.Kbps)), y = (ps |> Array.map (fun p -> p.Value)), Name = name, ShowMarkers = true)
            if errorBar = ErrorBar.None then line
            else line |> Chart.withYErrorStyle (Array = (ps |> Array.map (fun p -> p.Error))))
        |> Chart.combine
        |> fun chart -> Charts.Axes(chart, "Bitrate (kbps)", AudioMetrics.label metric)

    /// Bars of the fraction of entries used in each codebook, with the normalised perplexity beside them.
    static member CodebookUsage(usage: IEnumerable<CodebookUsageResult>, [<Optional; DefaultParameterValue("")>] title: string) =
        let all = Array.ofSeq usage
        if all.Length = 0 then invalidArg (nameof usage) "There are no codebooks to plot."
        let index = Array.init all.Length (fun i -> i + 1)
        [ Chart.Column(values = (all |> Array.map (fun u -> u.UsedFraction)), Keys = index, Name = "used fraction")
          Chart.Column(values = (all |> Array.map (fun u -> u.Perplexity / float u.CodebookSize)), Keys = index, Name = "perplexity / size") ]
        |> Chart.combine
        |> fun chart -> Charts.Axes(chart, "Codebook", "Fraction of entries")
        |> Chart.withTitle title

    /// Bars of each method's mean codebook usage at each bitrate, from comparison rows (rows without a quantizer skipped).
    static member CodebookUsage(rows: IEnumerable<ComparisonRow>) =
        let all = rows |> Seq.filter (fun r -> not (Double.IsNaN r.CodebookUsage)) |> Array.ofSeq
        if all.Length = 0 then invalidArg (nameof rows) "No row has a codebook usage."
        all
        |> Array.groupBy (fun r -> r.Method)
        |> Array.map (fun (name, group) ->
            let sorted = group |> Array.sortBy (fun r -> r.Kbps)
            Chart.Column(values = (sorted |> Array.map (fun r -> r.CodebookUsage)),
                         Keys = (sorted |> Array.map (fun r -> r.Kbps.ToString("0.##", Globalization.CultureInfo.InvariantCulture))),
                         Name = name))
        |> Chart.combine
        |> fun chart -> Charts.Axes(chart, "Bitrate (kbps)", "Codebook usage")

    /// A forest plot of the claims: each comparison's mean mel difference (system − the one it is compared with)
    /// with its confidence interval as an error bar, one line per comparison, the headline ones marked, and the
    /// zero line. Left of zero favours the claim's system.
    static member Claims(claims: IEnumerable<ClaimResult>) =
        let measured = claims |> Seq.filter (fun c -> c.Comparisons.Count > 0) |> Array.ofSeq
        if measured.Length = 0 then invalidArg (nameof claims) "No claim was measured."
        let points =
            [| for claim in measured do
                   for c in claim.Listed do
                       yield $"{claim.Number}: {c.Label}", c, claim.IsHeadline c |]
        let labels = points |> Array.map (fun (l, _, _) -> l)
        let trace (name: string) (chosen: (string * ClaimComparison * bool)[]) =
            Chart.Point(x = (chosen |> Array.map (fun (_, c, _) -> c.Difference.Mean)), y = (chosen |> Array.map (fun (l, _, _) -> l)), Name = name)
            |> Chart.withXErrorStyle (
                Array = (chosen |> Array.map (fun (_, c, _) -> c.Difference.High - c.Difference.Mean)),
                Arrayminus = (chosen |> Array.map (fun (_, c, _) -> c.Difference.Mean - c.Difference.Low)),
                Symmetric = false)
        let headline = points |> Array.filter (fun (_, _, h) -> h)
        let others = points |> Array.filter (fun (_, _, h) -> not h)
        let low = points |> Array.map (fun (_, c, _) -> c.Difference.Low) |> Array.min |> min 0.0
        let high = points |> Array.map (fun (_, c, _) -> c.Difference.High) |> Array.max |> max 0.0
        let zero = Chart.Line(x = [ 0.0; 0.0 ], y = [ labels[0]; labels[labels.Length - 1] ], Name = "no difference", LineColor = Color.fromString "#888")
        [ yield trace "verdict (headline)" headline
          if others.Length > 0 then yield trace "supporting" others
          yield zero ]
        |> Chart.combine
        |> fun chart -> Charts.Axes(chart, "Mel difference, system − compared (← favours the system)", "")
        |> Chart.withXAxisStyle (MinMax = (low - 0.05 * (high - low + 1e-9), high + 0.05 * (high - low + 1e-9)))
        // Plotly stacks categories bottom-up; listing them reversed puts claim 1 on top.
        |> Chart.withYAxisStyle (CategoryOrder = StyleParam.CategoryOrder.Array, CategoryArray = Array.rev labels)

