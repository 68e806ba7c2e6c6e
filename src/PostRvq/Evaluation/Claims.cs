using System.Globalization;

namespace PostRvq.Evaluation;

/// <summary>
/// The paper's four claims checked on a results table, each as a sentence with the numbers behind it, whether it
/// holds or not: quality falls with bitrate, standardization helps RVQ, finetuning helps at the finetuned bitrate,
/// and how PostRVQ compares with E2E. Quality is the mel distance (lower is better), as in the paper's tables.
/// The finetuning and E2E claims read "not measured" when the table has no such rows.
/// </summary>
public static class Claims
{
    public const string Plain = "rvq";
    public const string Standardized = "srvq";
    public const string Finetuned = "postrvq-finetuned";
    public const string EndToEnd = "e2e";

    public static IReadOnlyList<string> Check(IReadOnlyList<ComparisonRow> rows, double finetuneKbps)
    {
        var notes = new List<string>();
        var srvq = Curve(rows, Standardized);
        if (srvq.Count >= 2)
        {
            var falls = srvq.Zip(srvq.Skip(1)).All(p => p.Second.Mel <= p.First.Mel);
            notes.Add($"Quality falls with bitrate (standardized RVQ, mel from low to high kbps: {Series(srvq)}): {Verdict(falls)}.");
        }
        var plain = Curve(rows, Plain);
        var pairs = srvq.Join(plain, s => s.TargetKbps, p => p.TargetKbps, (s, p) => (Kbps: s.TargetKbps, Srvq: s.Mel, Rvq: p.Mel)).ToList();
        if (pairs.Count > 0)
        {
            var wins = pairs.Count(p => p.Srvq < p.Rvq);
            notes.Add($"Standardization helps RVQ at {wins} of {pairs.Count} bitrates (mel srvq vs rvq: "
                + string.Join(", ", pairs.Select(p => $"{F(p.Kbps)} kbps {F(p.Srvq)} vs {F(p.Rvq)}")) + $"): {Verdict(wins == pairs.Count)}.");
        }
        var finetuned = rows.FirstOrDefault(r => r.Method == Finetuned);
        var before = srvq.FirstOrDefault(r => Math.Abs(r.TargetKbps - finetuneKbps) < 1e-9);
        if (finetuned is not null && before is not null)
            notes.Add($"Finetuning at {F(finetuneKbps)} kbps: mel {F(finetuned.Mel)} after {finetuned.TrainingSteps} steps in all vs {F(before.Mel)} without "
                + $"({before.TrainingSteps} steps): {Verdict(finetuned.Mel < before.Mel)}.");
        else if (finetuned is null)
            notes.Add($"Finetuning at {F(finetuneKbps)} kbps: not measured (no finetuned decoder in the results).");
        var e2e = Curve(rows, EndToEnd);
        var versus = srvq.Join(e2e, s => s.TargetKbps, e => e.TargetKbps, (s, e) => (Kbps: s.TargetKbps, Post: s, E2E: e)).ToList();
        if (versus.Count > 0)
        {
            var postWins = versus.Count(v => v.Post.Mel < v.E2E.Mel);
            notes.Add($"PostRVQ (no finetuning) beats E2E on mel at {postWins} of {versus.Count} bitrates ("
                + string.Join(", ", versus.Select(v => $"{F(v.Kbps)} kbps {F(v.Post.Mel)} vs {F(v.E2E.Mel)}"))
                + $"); the continuous model had {versus[0].Post.TrainingSteps} steps and E2E {versus[0].E2E.TrainingSteps}.");
        }
        else if (e2e.Count == 0)
            notes.Add("PostRVQ vs E2E: not measured (no E2E codec in the results).");
        return notes;
    }

    static List<ComparisonRow> Curve(IReadOnlyList<ComparisonRow> rows, string method) =>
        rows.Where(r => r.Method == method && !double.IsNaN(r.TargetKbps)).OrderBy(r => r.TargetKbps).ToList();

    static string Series(IEnumerable<ComparisonRow> rows) => string.Join(" → ", rows.Select(r => $"{F(r.Mel)} @ {F(r.TargetKbps)}"));

    static string Verdict(bool holds) => holds ? "holds" : "does not hold on this data";

    static string F(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
