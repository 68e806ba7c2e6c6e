using System.CommandLine;
using System.Globalization;
using System.Text;
using PostRvq.Evaluation;
using PostRvq.IO;
using Spectre.Console;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq claims</c>: tests the paper's four claims on results CSVs (from <c>quantize</c>, <c>evaluate --csv</c> or the
/// pipeline), with paired bootstrap intervals over the clips every row was scored on, and prints a verdict per claim.
/// Rows of several files join when they were scored on the same clips; a row repeated across files is used once.
/// </summary>
static class ClaimsCommand
{
    public static Command Create()
    {
        var defaults = new ClaimOptions();
        var results = new Argument<string[]>("results") { Description = "Results CSVs whose rows were scored on the same clips", Arity = ArgumentArity.OneOrMore };
        var finetuneKbps = new Option<double>("--finetune-kbps") { Description = "Bitrate of the finetuning and E2E claims", DefaultValueFactory = _ => defaults.FinetuneKbps };
        var resamples = new Option<int>("--resamples") { Description = "Bootstrap resamples", DefaultValueFactory = _ => defaults.Resamples };
        var seed = new Option<int>("--seed") { Description = "Seed of the resampling", DefaultValueFactory = _ => defaults.Seed };
        var margin = new Option<double>("--margin") { Description = "Mel by which PostRVQ may trail E2E and still count as at least as good", DefaultValueFactory = _ => defaults.NonInferiorityMarginMel };
        var postTraining = new Option<string>("--post-training")
        {
            Description = "Comma-separated post-training quantizer methods whose rate curves claim 1 lists and that claim 4 sets against E2E at each shared bitrate",
            DefaultValueFactory = _ => string.Join(',', defaults.PostTrainingMethods),
        };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the comparisons as a Markdown table to this file" };
        var command = new Command("claims", "Test the paper's four claims on results CSVs with paired bootstrap intervals")
        {
            results, finetuneKbps, resamples, seed, margin, postTraining, markdown,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var files = parse.GetValue(results)!;
            var guard = new OutputGuard();
            foreach (var file in files) guard.ReadsFile("results", file, "results CSV");
            if (parse.GetValue(markdown) is { } markdownPath) guard.WritesFile("--markdown", markdownPath);
            var rows = Join(files);
            var options = new ClaimOptions
            {
                FinetuneKbps = parse.GetValue(finetuneKbps),
                Resamples = parse.GetValue(resamples),
                Seed = parse.GetValue(seed),
                NonInferiorityMarginMel = parse.GetValue(margin),
                PostTrainingMethods = parse.GetValue(postTraining)!.Split(',', StringSplitOptions.TrimEntries),
            };
            ValidateByFlag(options);
            var claims = Claims.Test(rows, options);
            Print(claims);
            if (parse.GetValue(markdown) is { } path)
            {
                AtomicFile.WriteAllText(path, Markdown(claims));
                AnsiConsole.MarkupLine($"Wrote {Markup.Escape(path)}.");
            }
            return 0;
        }));
        return command;
    }

    // The options' own checks name their properties; a user of this command knows them by their flags.
    static readonly Dictionary<string, string> Flags = new()
    {
        [nameof(ClaimOptions.FinetuneKbps)] = "--finetune-kbps",
        [nameof(ClaimOptions.NonInferiorityMarginMel)] = "--margin",
        [nameof(ClaimOptions.PostTrainingMethods)] = "--post-training",
    };

    static void ValidateByFlag(ClaimOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e) when (e.ParamName is { } name && Flags.TryGetValue(name, out var flag))
        {
            throw new ArgumentException(e.Message.Replace(name, flag, StringComparison.Ordinal).Replace($" (Parameter '{name}')", ""), flag);
        }
    }

    /// <summary>The rows of every file; a method and bitrate seen before is skipped when its scores match, refused when they differ.</summary>
    static List<ComparisonRow> Join(IReadOnlyList<string> files)
    {
        var rows = new List<ComparisonRow>();
        var seen = new Dictionary<(string, double), (ComparisonRow Row, string File)>();
        foreach (var file in files)
            foreach (var row in ComparisonCsv.Read(file))
            {
                var key = (row.Method, double.IsNaN(row.TargetKbps) ? -1 : row.TargetKbps);
                if (seen.TryGetValue(key, out var first))
                {
                    if (!first.Row.Clips.SequenceEqual(row.Clips))
                        throw new InvalidDataException($"{file}: {Name(row)} is also in {first.File} with other scores; "
                            + "give each method and bitrate once, or rows scored on the same clips by the same model");
                    continue;
                }
                seen[key] = (row, file);
                rows.Add(row);
            }
        return rows;
    }

    static string Name(ComparisonRow row) => double.IsNaN(row.TargetKbps) ? row.Method : $"{row.Method} at {row.TargetKbps.ToString(CultureInfo.InvariantCulture)} kbps";

    /// <summary>
    /// The claims table's rows, unescaped: a claim's statement and verdict head the row of its headline comparison,
    /// marked to be set in bold, or a plain row of their own when nothing was measured; other rows carry their own
    /// comparison's verdict.
    /// </summary>
    static IEnumerable<(bool Headline, string Claim, string Comparison, string Difference, string Interval, string Clips, string Verdict)> Rows(IReadOnlyList<ClaimResult> claims)
    {
        foreach (var claim in claims)
        {
            var statement = $"{claim.Number}. {claim.Statement}";
            if (claim.Comparisons.Count == 0)
                yield return (false, statement, claim.Rule, "", "", "", claim.Verdict.Describe());
            foreach (var c in claim.Listed)
            {
                var headline = claim.IsHeadline(c);
                yield return (headline, headline ? statement : "", c.Label, PairedDifference.Signed(c.Difference.Mean), c.Difference.Interval,
                    c.Difference.Clips.ToString(CultureInfo.InvariantCulture), headline ? claim.Verdict.Describe() : c.Verdict.Describe());
            }
        }
    }

    static void Print(IReadOnlyList<ClaimResult> claims)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("claim").AddColumn("comparison (mel)").AddColumn(new TableColumn("difference").RightAligned())
            .AddColumn(new TableColumn("95 % interval").RightAligned()).AddColumn(new TableColumn("clips").RightAligned()).AddColumn("verdict");
        foreach (var row in Rows(claims))
        {
            var verdict = Markup.Escape(row.Verdict);
            table.AddRow(Markup.Escape(row.Claim), Markup.Escape(row.Comparison), Markup.Escape(row.Difference), Markup.Escape(row.Interval), row.Clips,
                row.Headline ? $"[bold]{verdict}[/]" : verdict);
        }
        AnsiConsole.Write(table);
        foreach (var claim in claims) Console.WriteLine(claim.Sentence);
    }

    /// <summary>One Markdown row per comparison, the headline of each claim in bold with the claim's verdict.</summary>
    internal static string Markdown(IReadOnlyList<ClaimResult> claims)
    {
        var text = new StringBuilder("| claim | comparison (mel, system − compared) | difference | 95 % interval | clips | verdict |\n| --- | --- | ---: | ---: | ---: | --- |\n");
        foreach (var row in Rows(claims))
        {
            text.Append(row.Headline ? $"| **{row.Claim}** " : $"| {row.Claim} ")
                .Append($"| {row.Comparison} | {row.Difference} | {row.Interval} | {row.Clips} | ")
                .Append(row.Headline ? $"**{row.Verdict}** |\n" : $"{row.Verdict} |\n");
        }
        return text.ToString();
    }
}
