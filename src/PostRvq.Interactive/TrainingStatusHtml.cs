using System.Globalization;
using System.Net;
using System.Text;
using PostRvq.Training;

namespace PostRvq.Interactive;

/// <summary>
/// The live training display's HTML: a status line and a small inline-SVG chart of the total loss. SVG needs no
/// script, so every in-place update renders at once and the last one stays readable in the saved notebook.
/// </summary>
public static class TrainingStatusHtml
{
    /// <summary>The loss key drawn: the weighted generator total (see <see cref="TrainStep"/>).</summary>
    public const string LossKey = "loss";

    public static string Render(IReadOnlyList<TrainStep> steps, int width = 480, int height = 140)
    {
        var train = steps.Where(s => !s.IsValidation && s.Losses.ContainsKey(LossKey)).ToList();
        var html = new StringBuilder("<div class=\"postrvq-training\">");
        if (train.Count == 0) return html.Append("<div>Waiting for the first step…</div></div>").ToString();
        var last = train[^1];
        var losses = string.Join(" · ", last.Losses.Select(kv => Invariant($"{kv.Key} {kv.Value:0.000}")));
        html.Append(Invariant($"<div><b>step {last.Step}/{last.TotalSteps}</b> · {last.StepsPerSecond:0.00} steps/s · ETA {last.Eta:hh\\:mm\\:ss} · "))
            .Append(WebUtility.HtmlEncode(losses)).Append("</div>");
        if (steps.LastOrDefault(s => s.IsValidation) is { Validation: { } v } validation)
            html.Append(Invariant($"<div>validation at step {validation.Step}: mel {v.Mel:0.000} · stft {v.Stft:0.000} · SI-SDR {v.SiSdr:0.00} dB · SNR {v.Snr:0.00} dB</div>"));
        html.Append(Sparkline(train.Select(s => (double)s.Step).ToList(), train.Select(s => s.Losses[LossKey]).ToList(), width, height));
        return html.Append("</div>").ToString();
    }

    /// <summary>An SVG polyline of y against x scaled into the box, with the y range written at the left.</summary>
    static string Sparkline(IReadOnlyList<double> x, IReadOnlyList<double> y, int width, int height)
    {
        const int pad = 4, labelWidth = 60;
        double xMin = x.Min(), xMax = x.Max(), yMin = y.Min(), yMax = y.Max();
        double X(double v) => labelWidth + (xMax > xMin ? (v - xMin) / (xMax - xMin) : 0.5) * (width - labelWidth - pad);
        double Y(double v) => pad + (yMax > yMin ? (yMax - v) / (yMax - yMin) : 0.5) * (height - 2 * pad);
        var points = string.Join(" ", x.Select((xi, i) => Invariant($"{X(xi):0.#},{Y(y[i]):0.#}")));
        return Invariant($"<svg class=\"postrvq-loss\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">") +
               Invariant($"<text x=\"0\" y=\"12\" font-size=\"11\">{yMax:0.###}</text><text x=\"0\" y=\"{height - pad}\" font-size=\"11\">{yMin:0.###}</text>") +
               Invariant($"<rect x=\"{labelWidth}\" y=\"0\" width=\"{width - labelWidth}\" height=\"{height}\" fill=\"none\" stroke=\"#ccc\"/>") +
               $"<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"{points}\"/></svg>";
    }

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
