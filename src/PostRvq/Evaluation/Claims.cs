using System.Globalization;

namespace PostRvq.Evaluation;

/// <summary>
/// The paper's four claims tested on a results table, each with paired bootstrap intervals over the test clips
/// and a verdict: holds, refuted, or not resolved at this sample size.
/// <list type="number">
/// <item>Quality falls with bitrate: each step of standardized RVQ down the bitrate grid, starting from the
/// continuous model, costs mel. Holds when every step does. The curves of the other
/// <see cref="ClaimOptions.PostTrainingMethods"/> are listed too; without srvq rows, the first of them with rows is judged.</item>
/// <item>Standardization helps RVQ at equal bits: srvq against plain rvq, per clip averaged over the bitrates both
/// were run at (each bitrate is also listed).</item>
/// <item>Finetuning the decoder helps at the bitrate it was finetuned for: against the continuous decoder behind the
/// same quantizer (<see cref="Frozen"/> rows, or else srvq).</item>
/// <item>PostRVQ with a finetuned decoder is at least as good as E2E at an equal training budget: its mel may exceed
/// E2E's by at most <see cref="ClaimOptions.NonInferiorityMarginMel"/>. Each of
/// <see cref="ClaimOptions.PostTrainingMethods"/> (srvq by default) is also set against E2E at every shared bitrate.</item>
/// </list>
/// Rows are matched on <see cref="ComparisonRow.Method"/> and <see cref="ComparisonRow.TargetKbps"/>; every row must
/// carry its per-clip metrics for the same clips in the same order.
/// </summary>
public static class Claims
{
    public const string Continuous = QuantizerComparison.ContinuousMethod;
    public const string Plain = "rvq";
    public const string Standardized = "srvq";
    public const string Finetuned = "postrvq-finetuned";

    /// <summary>
    /// The continuous decoder behind a finetuned decoder's own quantizer: claim 3's baseline, taken before srvq rows,
    /// which may come from another fit of the quantizer.
    /// </summary>
    public const string Frozen = "postrvq-frozen";

    /// <summary>A decoder finetuned on bitrates sampled from a set (the paper's {3, 10, 16, 24}).</summary>
    public const string FinetunedOnSet = "postrvq-finetuned-set";

    public const string EndToEnd = "e2e";

    /// <summary>The four claims, in the paper's order; those whose rows are missing read "not measured".</summary>
    public static IReadOnlyList<ClaimResult> Test(IReadOnlyList<ComparisonRow> rows, ClaimOptions? options = null)
    {
        options ??= new ClaimOptions();
        options.Validate();
        var tester = new Tester(rows, options);
        // An array rather than a collection expression, whose hidden list type a notebook cannot share between kernels.
        return new[] { tester.QualityFallsWithBitrate(), tester.StandardizationHelps(), tester.FinetuningHelps(), tester.PostRvqMatchesE2E() };
    }

    sealed class Tester(IReadOnlyList<ComparisonRow> rows, ClaimOptions options)
    {
        string Kbps => F(options.FinetuneKbps);

        public ClaimResult QualityFallsWithBitrate()
        {
            const string statement = "quality falls with bitrate";
            // srvq decides, as in the paper; without srvq rows, the first named post-training quantizer that has rows.
            var judged = options.PostTrainingMethods.Prepend(Standardized).Distinct().FirstOrDefault(m => Curve(m).Count > 0);
            if (judged is null) return NotMeasured(1, statement, $"no rows of {string.Join(" or ", options.PostTrainingMethods.Prepend(Standardized).Distinct())}");
            var curve = Curve(judged);
            var continuous = rows.FirstOrDefault(r => r.Method == Continuous);
            var steps = StepsDown(curve, continuous);
            if (steps.Count == 0) return NotMeasured(1, statement, "a single bitrate and no continuous row");
            // The headline is the whole spread, from the highest quality measured down to the lowest bitrate.
            var spread = Spread(curve, continuous);
            // Other post-training quantizers get their own spread and steps; the verdict stays the judged one's.
            var others = options.PostTrainingMethods.Distinct().Where(m => m != judged).Select(Curve)
                .Where(other => other.Count > 1 || other.Count == 1 && continuous is not null)
                .SelectMany(other => (IEnumerable<ClaimComparison>)[Spread(other, continuous), .. StepsDown(other, continuous)]);
            var rule = judged == Standardized ? "every step down the bitrate grid must cost mel" : $"every step of {judged} down the bitrate grid must cost mel (no srvq rows)";
            return new ClaimResult(1, statement, rule, ClaimVerdicts.All(steps.Select(s => s.Verdict)), spread, [.. steps, .. others]);
        }

        /// <summary>Continuous against the top bitrate, then each bitrate against the one below it.</summary>
        List<ClaimComparison> StepsDown(IReadOnlyList<ComparisonRow> curve, ComparisonRow? continuous)
        {
            var steps = new List<ClaimComparison>();
            if (continuous is not null) steps.Add(Better(continuous, Continuous, curve[^1], Name(curve[^1])));
            for (var i = curve.Count - 1; i > 0; i--) steps.Add(Better(curve[i], Name(curve[i]), curve[i - 1], Name(curve[i - 1])));
            return steps;
        }

        /// <summary>The best system measured (continuous, or else the top bitrate) against the lowest bitrate.</summary>
        ClaimComparison Spread(IReadOnlyList<ComparisonRow> curve, ComparisonRow? continuous) =>
            Better(continuous ?? curve[^1], continuous is null ? Name(curve[^1]) : Continuous, curve[0], Name(curve[0]));

        public ClaimResult StandardizationHelps()
        {
            const string statement = "standardization helps RVQ at equal bits";
            var pairs = Curve(Standardized).Join(Curve(Plain), s => s.TargetKbps, p => p.TargetKbps, (s, p) => (Srvq: s, Rvq: p)).ToList();
            if (pairs.Count == 0) return NotMeasured(2, statement, "no bitrate has both srvq and rvq rows");
            var perRate = pairs.Select(p => Better(p.Srvq, Name(p.Srvq), p.Rvq, Name(p.Rvq))).ToList();
            var rates = string.Join("/", pairs.Select(p => F(p.Srvq.TargetKbps)));
            var pooled = Compare($"srvq @ {rates} kbps", PerClipMean(pairs.Select(p => p.Srvq)), $"rvq @ {rates} kbps", PerClipMean(pairs.Select(p => p.Rvq)), 0);
            return new ClaimResult(2, statement, "judged on the per-clip mean over the bitrates", pooled.Verdict, pooled, [pooled, .. perRate]);
        }

        public ClaimResult FinetuningHelps()
        {
            var statement = $"finetuning the decoder helps at {Kbps} kbps";
            var before = FrozenAt(options.FinetuneKbps);
            var comparisons = new List<ClaimComparison>();
            if (before is not null && At(Finetuned, options.FinetuneKbps) is { } after) comparisons.Add(Better(after, Name(after), before, Name(before)));
            foreach (var set in Curve(FinetunedOnSet))
                if (FrozenAt(set.TargetKbps) is { } frozen) comparisons.Add(Better(set, Name(set), frozen, Name(frozen)));
            if (comparisons.Count == 0)
                return NotMeasured(3, statement, before is null ? $"no srvq row at {Kbps} kbps" : "no finetuned decoder in the results");
            var headline = comparisons.FirstOrDefault(c => c.System.StartsWith(Finetuned + " ", StringComparison.Ordinal))
                ?? comparisons.FirstOrDefault(c => c.System == $"{FinetunedOnSet} @ {Kbps} kbps") ?? comparisons[0];
            return new ClaimResult(3, statement, "the finetuned decoder against the frozen one, same encoder and quantizer", headline.Verdict, headline, comparisons);
        }

        public ClaimResult PostRvqMatchesE2E()
        {
            const string statement = "PostRVQ is at least as good as E2E at an equal budget";
            var margin = options.NonInferiorityMarginMel;
            var rule = $"PostRVQ may trail E2E by less than {F(margin)} mel across the interval";
            var comparisons = new List<ClaimComparison>();
            var e2e = Curve(EndToEnd);
            if (e2e.Count == 0) return NotMeasured(4, statement, "no E2E codec in the results");
            var e2eAtKbps = At(EndToEnd, options.FinetuneKbps);
            foreach (var method in new[] { Finetuned, FinetunedOnSet })
                if (At(method, options.FinetuneKbps) is { } post && e2eAtKbps is not null)
                    comparisons.Add(AtLeastAsGood(post, e2eAtKbps, margin));
            foreach (var method in options.PostTrainingMethods.Distinct())
                foreach (var against in e2e)
                    if (At(method, against.TargetKbps) is { } post) comparisons.Add(AtLeastAsGood(post, against, margin));
            if (comparisons.Count == 0) return NotMeasured(4, statement, "no PostRVQ row shares a bitrate with the E2E rows");
            var headline = comparisons[0];
            return new ClaimResult(4, statement, rule, headline.Verdict, headline, comparisons);
        }

        ClaimComparison AtLeastAsGood(ComparisonRow post, ComparisonRow e2e, double margin) =>
            Compare(Name(post), Mels(post), Name(e2e), Mels(e2e), margin);

        ClaimComparison Better(ComparisonRow system, string systemName, ComparisonRow against, string againstName) =>
            Compare(systemName, Mels(system), againstName, Mels(against), 0);

        ClaimComparison Compare(string system, double[] systemMel, string against, double[] againstMel, double margin)
        {
            if (systemMel.Length == 0 || againstMel.Length == 0)
                throw new ArgumentException($"{(systemMel.Length == 0 ? system : against)} has no per-clip metrics; a paired test needs them.", nameof(rows));
            var difference = PairedBootstrap.Compare(systemMel, againstMel, options.Resamples, options.Confidence, options.Seed);
            var verdict = difference.High < margin ? ClaimVerdict.Holds : difference.Low > margin ? ClaimVerdict.Refuted : ClaimVerdict.NotResolved;
            return new ClaimComparison(system, against, difference, margin, verdict);
        }

        static double[] Mels(ComparisonRow row) => [.. row.Clips.Select(c => c.Mel)];

        /// <summary>Per clip, the mean mel over the given rows (which must share clips).</summary>
        static double[] PerClipMean(IEnumerable<ComparisonRow> group)
        {
            var mels = group.Select(Mels).ToList();
            var clips = mels[0].Length;
            if (mels.Any(m => m.Length != clips)) throw new ArgumentException("The rows to pool were scored on different numbers of clips.", nameof(group));
            return [.. Enumerable.Range(0, clips).Select(i => mels.Average(m => m[i]))];
        }

        List<ComparisonRow> Curve(string method) =>
            [.. rows.Where(r => r.Method == method && !double.IsNaN(r.TargetKbps)).OrderBy(r => r.TargetKbps)];

        /// <summary>The frozen decoder at <paramref name="kbps"/>: behind the finetuned decoder's own quantizer when scored so, else srvq.</summary>
        ComparisonRow? FrozenAt(double kbps) => At(Frozen, kbps) ?? At(Standardized, kbps);

        ComparisonRow? At(string method, double kbps) => rows.FirstOrDefault(r => r.Method == method && Math.Abs(r.TargetKbps - kbps) < 1e-9);

        static string Name(ComparisonRow row) => double.IsNaN(row.TargetKbps) ? row.Method : $"{row.Method} @ {F(row.TargetKbps)} kbps";

        static ClaimResult NotMeasured(int number, string statement, string why) =>
            new(number, statement, $"not measured ({why})", ClaimVerdict.NotMeasured, null, []);
    }

    static string F(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
