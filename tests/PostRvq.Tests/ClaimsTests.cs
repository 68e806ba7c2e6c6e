using PostRvq.Evaluation;
using PostRvq.Metrics;

namespace PostRvq.Tests;

/// <summary>
/// The paper's claims on results with per-clip metrics: verdicts follow the paired intervals (holds, refuted, not
/// resolved), and claims whose rows are missing read "not measured".
/// </summary>
public class ClaimsTests
{
    const int ClipCount = 80;

    /// <summary>Per-clip mel of a clip-specific difficulty plus <paramref name="offset"/> and seeded noise of size <paramref name="noise"/>.</summary>
    static ComparisonRow Row(string method, double kbps, double offset, double noise = 0.02, int seed = 0)
    {
        var difficulty = new Random(12345);
        // string.GetHashCode differs between processes, so the noise seed is built from the characters.
        var random = new Random(method.Sum(c => c) * 1000 + (double.IsNaN(kbps) ? 0 : (int)kbps) * 10 + seed);
        var clips = Enumerable.Range(0, ClipCount)
            .Select(_ => 1 + 2 * difficulty.NextDouble() + offset + noise * (random.NextDouble() - 0.5))
            .Select(mel => new AudioMetricValues(mel, mel / 2, 10, 10))
            .ToList();
        return new() { Method = method, Split = "test", TargetKbps = kbps, Mel = clips.Average(c => c.Mel), TrainingSteps = 100, Clips = clips };
    }

    static readonly ComparisonRow[] PostTraining =
    [
        Row("continuous", double.NaN, 0), Row("rvq", 3, 2.1), Row("rvq", 16, 0.8), Row("srvq", 3, 2.0), Row("srvq", 16, 0.7),
    ];

    static readonly ClaimOptions Fast = new() { Resamples = 1000 };

    [Fact]
    public void ClearDifferencesHoldAndMissingRowsAreNotMeasured()
    {
        var claims = Claims.Test(PostTraining, Fast);
        Assert.Equal([1, 2, 3, 4], claims.Select(c => c.Number));
        Assert.Equal(ClaimVerdict.Holds, claims[0].Verdict);
        Assert.Equal(["continuous − srvq @ 16 kbps", "srvq @ 16 kbps − srvq @ 3 kbps"], claims[0].Comparisons.Select(c => c.Label));
        Assert.Equal("continuous − srvq @ 3 kbps", claims[0].Headline!.Label);
        Assert.Equal(-2.0, claims[0].Headline!.Difference.Mean, 2);
        // Claim 1's headline summarises its steps, so a table lists it first; other claims' headlines are among their comparisons.
        Assert.Equal(["continuous − srvq @ 3 kbps", "continuous − srvq @ 16 kbps", "srvq @ 16 kbps − srvq @ 3 kbps"], claims[0].Listed.Select(c => c.Label));
        Assert.Equal(claims[1].Comparisons, claims[1].Listed);
        Assert.Equal(ClaimVerdict.Holds, claims[1].Verdict);
        Assert.Equal("srvq @ 3/16 kbps − rvq @ 3/16 kbps", claims[1].Headline!.Label);
        Assert.Equal(-0.1, claims[1].Headline!.Difference.Mean, 2);
        Assert.Equal(3, claims[1].Comparisons.Count);
        Assert.Equal(ClaimVerdict.NotMeasured, claims[2].Verdict);
        Assert.Equal("Claim 3, finetuning the decoder helps at 16 kbps: not measured (no finetuned decoder in the results).", claims[2].Sentence);
        Assert.Equal("Claim 4, PostRVQ is at least as good as E2E at an equal budget: not measured (no E2E codec in the results).", claims[3].Sentence);
    }

    [Fact]
    public void AReversedDifferenceIsRefutedAndAnEqualOneIsNotResolved()
    {
        // Standardization hurts by 0.1 mel on every clip: refuted.
        var worse = Claims.Test([Row("srvq", 16, 0.9), Row("rvq", 16, 0.8)], Fast);
        Assert.Equal(ClaimVerdict.Refuted, worse[1].Verdict);
        // The same scores up to noise that is large against the mean difference: the interval straddles zero.
        var same = Claims.Test([Row("srvq", 16, 0.8, noise: 0.5, seed: 1), Row("rvq", 16, 0.8, noise: 0.5, seed: 2)], Fast);
        Assert.Equal(ClaimVerdict.NotResolved, same[1].Verdict);
        Assert.Contains("not resolved at this sample size", same[1].Sentence);
    }

    [Fact]
    public void OneStepThatGainsNothingKeepsTheBitrateClaimFromHolding()
    {
        var claims = Claims.Test([Row("srvq", 3, 2.0), Row("srvq", 10, 1.0, noise: 0.5, seed: 1), Row("srvq", 16, 1.0, noise: 0.5, seed: 2)], Fast);
        Assert.Equal(ClaimVerdict.NotResolved, claims[0].Verdict);
        Assert.Equal([ClaimVerdict.NotResolved, ClaimVerdict.Holds], claims[0].Comparisons.Select(c => c.Verdict));
    }

    [Fact]
    public void FinetuningIsJudgedAgainstTheFrozenDecoderAtItsBitrateAndTheSetDecoderAtEach()
    {
        var claims = Claims.Test(
            [.. PostTraining, Row("postrvq-finetuned", 16, 0.5), Row("postrvq-finetuned-set", 3, 1.9), Row("postrvq-finetuned-set", 16, 0.6)], Fast);
        var finetuning = claims[2];
        Assert.Equal(ClaimVerdict.Holds, finetuning.Verdict);
        Assert.Equal("postrvq-finetuned @ 16 kbps − srvq @ 16 kbps", finetuning.Headline!.Label);
        Assert.Equal(-0.2, finetuning.Headline.Difference.Mean, 2);
        Assert.Equal(3, finetuning.Comparisons.Count);
        Assert.StartsWith("Claim 3, finetuning the decoder helps at 16 kbps: mel postrvq-finetuned @ 16 kbps − srvq @ 16 kbps = −0.200 [", finetuning.Sentence);
        Assert.EndsWith(": holds; the finetuned decoder against the frozen one, same encoder and quantizer.", finetuning.Sentence);
    }

    [Fact]
    public void FinetuningIsJudgedBehindItsOwnQuantizerWhenThoseRowsExist()
    {
        // The srvq rows come from another fit, 0.3 mel better than the quantizer the decoder was finetuned behind.
        var claims = Claims.Test([.. PostTraining, Row("postrvq-frozen", 16, 1.0), Row("postrvq-finetuned", 16, 0.8)], Fast);
        Assert.Equal("postrvq-finetuned @ 16 kbps − postrvq-frozen @ 16 kbps", claims[2].Headline!.Label);
        Assert.Equal(ClaimVerdict.Holds, claims[2].Verdict);
    }

    [Fact]
    public void PostRvqCountsAsAtLeastAsGoodAsE2EWithinTheMargin()
    {
        ComparisonRow[] Results(double e2eOffset) => [.. PostTraining, Row("postrvq-finetuned", 16, 0.5), Row("e2e", 3, 2.0), Row("e2e", 16, e2eOffset)];
        // PostRVQ is 0.03 mel worse on every clip: within the 0.05 margin, so the claim holds.
        Assert.Equal(ClaimVerdict.Holds, Claims.Test(Results(0.47), Fast)[3].Verdict);
        // 0.2 mel worse: refuted.
        var refuted = Claims.Test(Results(0.3), Fast)[3];
        Assert.Equal(ClaimVerdict.Refuted, refuted.Verdict);
        Assert.Equal("postrvq-finetuned @ 16 kbps − e2e @ 16 kbps", refuted.Headline!.Label);
        Assert.Equal(0.05, refuted.Headline.Margin);
        // The unfinetuned srvq is compared with E2E at each bitrate too.
        Assert.Contains(refuted.Comparisons, c => c.Label == "srvq @ 3 kbps − e2e @ 3 kbps");
    }

    [Fact]
    public void OtherPostTrainingQuantizersGetTheirRateCurveAndAreSetAgainstE2EWhenNamed()
    {
        ComparisonRow[] results = [.. PostTraining, Row("gs-srvq", 3, 1.5), Row("gs-srvq", 16, 0.2), Row("e2e", 3, 1.8), Row("e2e", 16, 0.4)];
        var plain = Claims.Test(results, Fast);
        Assert.DoesNotContain(plain[0].Comparisons.Concat(plain[3].Comparisons), c => c.Label.Contains("gs-srvq", StringComparison.Ordinal));

        var claims = Claims.Test(results, Fast with { PostTrainingMethods = ["srvq", "gs-srvq"] });
        // Claim 1 lists gs-srvq's spread and steps after srvq's, and its verdict stays srvq's.
        Assert.Equal(["continuous − gs-srvq @ 3 kbps", "continuous − gs-srvq @ 16 kbps", "gs-srvq @ 16 kbps − gs-srvq @ 3 kbps"],
            claims[0].Comparisons.Where(c => c.Label.Contains("gs-srvq", StringComparison.Ordinal)).Select(c => c.Label));
        Assert.Equal(plain[0].Headline!.Label, claims[0].Headline!.Label);
        var claim = claims[3];
        var gainShape = claim.Comparisons.Where(c => c.System.StartsWith("gs-srvq", StringComparison.Ordinal)).ToList();
        Assert.Equal(["gs-srvq @ 3 kbps − e2e @ 3 kbps", "gs-srvq @ 16 kbps − e2e @ 16 kbps"], gainShape.Select(c => c.Label));
        // gs-srvq is 0.3 and 0.2 mel better than E2E, srvq 0.2 and 0.3 worse.
        Assert.All(gainShape, c => Assert.Equal(ClaimVerdict.Holds, c.Verdict));
        Assert.All(claim.Comparisons.Where(c => c.System.StartsWith("srvq", StringComparison.Ordinal)), c => Assert.Equal(ClaimVerdict.Refuted, c.Verdict));
        Assert.Throws<ArgumentException>(() => Claims.Test(results, Fast with { PostTrainingMethods = ["e2e"] }));
    }

    [Fact]
    public void WithoutSrvqRowsClaimOneJudgesTheFirstNamedPostTrainingQuantizer()
    {
        ComparisonRow[] results = [Row("continuous", double.NaN, 0), Row("gs-srvq", 3, 1.5), Row("gs-srvq", 16, 0.2), Row("pq", 3, 0.1), Row("pq", 16, 0.3)];
        var notMeasured = Claims.Test(results, Fast)[0];
        Assert.Equal(ClaimVerdict.NotMeasured, notMeasured.Verdict);
        Assert.Contains("no rows of srvq", notMeasured.Rule);

        var claim = Claims.Test(results, Fast with { PostTrainingMethods = ["gs-srvq", "pq"] })[0];
        // gs-srvq falls at every step and decides; pq, listed after it, rises from 16 to 3 kbps without changing the verdict.
        Assert.Equal(ClaimVerdict.Holds, claim.Verdict);
        Assert.Equal("continuous − gs-srvq @ 3 kbps", claim.Headline!.Label);
        Assert.Contains("gs-srvq", claim.Rule);
        Assert.Contains(claim.Comparisons, c => c.Label == "pq @ 16 kbps − pq @ 3 kbps" && c.Verdict == ClaimVerdict.Refuted);
    }

    [Fact]
    public void RowsWithoutPerClipMetricsAreRefusedByName()
    {
        var bare = new ComparisonRow { Method = "rvq", Split = "test", TargetKbps = 16, Mel = 1 };
        var error = Assert.Throws<ArgumentException>(() => Claims.Test([Row("srvq", 16, 0.7), bare], Fast));
        Assert.Contains("rvq @ 16 kbps has no per-clip metrics", error.Message);
    }
}
