using PostRvq.Evaluation;

namespace PostRvq.Tests;

/// <summary>The paper's claims on a results table: the finetuning and E2E claims say "not measured" when their rows are missing.</summary>
public class ClaimsTests
{
    static ComparisonRow Row(string method, double kbps, double mel) =>
        new() { Method = method, Split = "test", TargetKbps = kbps, Mel = mel, TrainingSteps = 100 };

    static readonly ComparisonRow[] PostTraining =
        [Row("rvq", 3, 5.0), Row("rvq", 16, 4.0), Row("srvq", 3, 4.8), Row("srvq", 16, 3.9)];

    [Fact]
    public void WithoutFinetunedAndE2ERowsTheirClaimsAreNotMeasured()
    {
        var notes = Claims.Check(PostTraining, 16);
        Assert.Equal(4, notes.Count);
        Assert.Contains("holds", notes[0]);
        Assert.Contains("holds", notes[1]);
        Assert.Equal("Finetuning at 16 kbps: not measured (no finetuned decoder in the results).", notes[2]);
        Assert.Equal("PostRVQ vs E2E: not measured (no E2E codec in the results).", notes[3]);
    }

    [Fact]
    public void WithFinetunedAndE2ERowsTheirClaimsCarryTheNumbers()
    {
        var notes = Claims.Check([.. PostTraining, Row("postrvq-finetuned", 16, 3.5), Row("e2e", 3, 5.5), Row("e2e", 16, 4.2)], 16);
        Assert.Equal(4, notes.Count);
        Assert.StartsWith("Finetuning at 16 kbps: mel 3.5 after 100 steps in all vs 3.9 without (100 steps): holds.", notes[2]);
        Assert.StartsWith("PostRVQ (no finetuning) beats E2E on mel at 2 of 2 bitrates", notes[3]);
        Assert.DoesNotContain(notes, note => note.Contains("not measured"));
    }
}
