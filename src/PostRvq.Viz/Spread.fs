namespace PostRvq.Viz

open System.Collections.Generic
open MathNet.Numerics.Statistics

/// How an error bar is drawn from per-clip values.
type ErrorBar =
    /// Standard error of the mean: sample standard deviation (n − 1) / √n.
    | StandardError = 0
    /// Sample standard deviation (n − 1) of the clips.
    | StandardDeviation = 1
    /// No error bar.
    | None = 2

/// Mean and spread of per-clip values. Std is the sample standard deviation (n − 1); with fewer than two
/// values it is 0, since one clip says nothing about the spread.
type Spread =
    { Mean: float
      StandardDeviation: float
      StandardError: float
      Count: int }

    /// The half-length of the error bar of the given kind.
    member this.HalfWidth(kind: ErrorBar) =
        match kind with
        | ErrorBar.StandardError -> this.StandardError
        | ErrorBar.StandardDeviation -> this.StandardDeviation
        | _ -> 0.0

    /// Mean and spread of the values, computed with MathNet.Numerics; throws on an empty set.
    static member Of(values: IEnumerable<float>) =
        let data = Array.ofSeq values
        if data.Length = 0 then invalidArg (nameof values) "Cannot take the spread of zero values."
        let std = if data.Length < 2 then 0.0 else Statistics.StandardDeviation data
        { Mean = Statistics.Mean data
          StandardDeviation = std
          StandardError = std / sqrt (float data.Length)
          Count = data.Length }
