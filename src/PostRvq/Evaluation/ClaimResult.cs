namespace PostRvq.Evaluation;

/// <summary>
/// One paired comparison behind a claim: the per-clip mel of <see cref="System"/> minus that of <see cref="Against"/>
/// on the same clips, so a negative difference favours <see cref="System"/>. <see cref="Margin"/> is the
/// boundary the interval is judged against: 0 for "better than", a positive margin for "at least as good as".
/// </summary>
public sealed record ClaimComparison(string System, string Against, PairedDifference Difference, double Margin, ClaimVerdict Verdict)
{
    /// <summary>"srvq @ 16 kbps − rvq @ 16 kbps".</summary>
    public string Label => $"{System} − {Against}";
}

/// <summary>
/// One of the paper's claims tested on a results table: its statement, the comparison its verdict rests on
/// (<see cref="Headline"/>, null when not measured) and every supporting comparison, including the headline.
/// </summary>
public sealed record ClaimResult(int Number, string Statement, string Rule, ClaimVerdict Verdict, ClaimComparison? Headline, IReadOnlyList<ClaimComparison> Comparisons)
{
    /// <summary>One sentence for a report: the claim, its headline difference with the interval, and the verdict.</summary>
    public string Sentence => Headline is { } h
        ? $"Claim {Number}, {Statement}: mel {h.Label} = {h.Difference} over {h.Difference.Clips} clips "
          + $"({h.Difference.Confidence:P0} interval, {h.Difference.Resamples:N0} paired bootstrap resamples, seed {h.Difference.Seed}): {Verdict.Describe()}; {Rule}."
        : $"Claim {Number}, {Statement}: {Rule}.";

    /// <summary>
    /// The comparisons to show: the headline first when it is a summary of its own (claim 1's drop from the continuous
    /// model to the lowest bitrate), then every supporting one.
    /// </summary>
    public IReadOnlyList<ClaimComparison> Listed => Headline is { } h && !Comparisons.Any(IsHeadline) ? [h, .. Comparisons] : Comparisons;

    /// <summary>Whether <paramref name="comparison"/> is the one this claim's verdict rests on.</summary>
    public bool IsHeadline(ClaimComparison comparison) => ReferenceEquals(comparison, Headline);
}
