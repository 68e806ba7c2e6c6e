namespace PostRvq.Evaluation;

/// <summary>What the paired interval says about a claim.</summary>
public enum ClaimVerdict
{
    /// <summary>The whole confidence interval lies on the claim's side.</summary>
    Holds,

    /// <summary>The whole confidence interval lies on the other side.</summary>
    Refuted,

    /// <summary>The interval straddles the boundary: this many clips cannot tell.</summary>
    NotResolved,

    /// <summary>The results lack the rows the claim needs.</summary>
    NotMeasured,
}

/// <summary>The verdicts as the report writes them.</summary>
public static class ClaimVerdicts
{
    public static string Describe(this ClaimVerdict verdict) => verdict switch
    {
        ClaimVerdict.Holds => "holds",
        ClaimVerdict.Refuted => "refuted",
        ClaimVerdict.NotResolved => "not resolved at this sample size",
        _ => "not measured",
    };

    /// <summary>All hold → holds; any refuted → refuted; otherwise not resolved (not measured when empty).</summary>
    public static ClaimVerdict All(IEnumerable<ClaimVerdict> verdicts)
    {
        var list = verdicts.ToList();
        if (list.Count == 0) return ClaimVerdict.NotMeasured;
        if (list.Contains(ClaimVerdict.Refuted)) return ClaimVerdict.Refuted;
        return list.All(v => v == ClaimVerdict.Holds) ? ClaimVerdict.Holds : ClaimVerdict.NotResolved;
    }
}
