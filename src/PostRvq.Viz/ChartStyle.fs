namespace PostRvq.Viz

open System.Runtime.CompilerServices
open Plotly.NET
open Plotly.NET.LayoutObjects

/// C#-friendly styling of Plotly.NET charts, as extension methods.
[<Extension; AbstractClass; Sealed>]
type ChartStyle =
    /// The figure's size in pixels.
    [<Extension>]
    static member WithSize(chart: GenericChart, width: int, height: int) = chart |> Chart.withSize (width, height)

    [<Extension>]
    static member WithTitle(chart: GenericChart, title: string) = chart |> Chart.withTitle title

    /// Small margins, for charts laid out beside players and in grids.
    [<Extension>]
    static member WithCompactMargins(chart: GenericChart) =
        chart |> Chart.withMargin (Margin.init (Left = 55, Right = 10, Top = 25, Bottom = 40))
