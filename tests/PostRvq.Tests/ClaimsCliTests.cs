using PostRvq.Evaluation;
using PostRvq.Metrics;

namespace PostRvq.Tests;

/// <summary><c>postrvq claims</c> on results CSVs: rows of several files join, verdicts print, and conflicting rows are refused.</summary>
[Collection(SerialCollection.Name)]
public class ClaimsCliTests
{
    /// <summary>A row whose 40 clips score <paramref name="offset"/> above a shared clip difficulty, with a little noise.</summary>
    static ComparisonRow Row(string method, double kbps, double offset)
    {
        var difficulty = new Random(7);
        var noise = new Random(method.Length * 100 + (int)(double.IsNaN(kbps) ? 0 : kbps));
        var clips = Enumerable.Range(0, 40).Select(_ => 1 + difficulty.NextDouble() + offset + 0.01 * noise.NextDouble())
            .Select(mel => new AudioMetricValues(mel, mel / 2, 10, 10)).ToList();
        return new() { Method = method, Split = "test", TargetKbps = kbps, Mel = clips.Average(c => c.Mel), Clips = clips };
    }

    [Fact]
    public void RowsOfSeveralFilesJoinAndEveryClaimGetsAVerdict()
    {
        using var folder = new TempFolder();
        var quantize = folder.File("quantize.csv");
        var evaluate = folder.File("evaluate.csv");
        var markdown = folder.File("claims.md");
        ComparisonCsv.Write(quantize, [Row("continuous", double.NaN, 0), Row("rvq", 3, 2.2), Row("rvq", 16, 0.9), Row("srvq", 3, 2.0), Row("srvq", 16, 0.8)]);
        // The continuous row again, as a second evaluation writes it: used once.
        ComparisonCsv.Write(evaluate, [Row("continuous", double.NaN, 0), Row("postrvq-finetuned", 16, 0.5), Row("e2e", 3, 1.9), Row("e2e", 16, 0.7)]);
        var (code, output, error) = CliRunner.Run("claims", quantize, evaluate, "--resamples", "500", "--markdown", markdown);
        Assert.True(code == 0, error);
        Assert.Contains("Claim 1, quality falls with bitrate: mel continuous − srvq @ 3 kbps = −2.000", output);
        Assert.Contains("Claim 3, finetuning the decoder helps at 16 kbps: mel postrvq-finetuned @ 16 kbps − srvq @ 16 kbps = −0.300", output);
        Assert.Contains("Claim 4, PostRVQ is at least as good as E2E at an equal budget: mel postrvq-finetuned @ 16 kbps − e2e @ 16 kbps = −0.20", output);
        Assert.Equal(4, output.Split('\n').Count(line => line.StartsWith("Claim ") && line.Contains("): holds; ")));
        var table = File.ReadAllText(markdown);
        Assert.StartsWith("| claim | comparison (mel, system − compared) |", table);
        Assert.Contains("| **1. quality falls with bitrate** | continuous − srvq @ 3 kbps | −2.000 |", table);
        Assert.Contains("| **2. standardization helps RVQ at equal bits** | srvq @ 3/16 kbps − rvq @ 3/16 kbps | −0.150 |", table);
    }

    [Fact]
    public void ARowThatDiffersBetweenFilesIsRefusedByName()
    {
        using var folder = new TempFolder();
        var first = folder.File("a.csv");
        var second = folder.File("b.csv");
        ComparisonCsv.Write(first, [Row("srvq", 16, 0.8)]);
        ComparisonCsv.Write(second, [Row("srvq", 16, 0.9)]);
        var (code, _, error) = CliRunner.Run("claims", first, second);
        Assert.Equal(1, code);
        Assert.Contains($"{second}: srvq at 16 kbps is also in {first} with other scores", error);
        var (missingCode, _, missingError) = CliRunner.Run("claims", folder.File("none.csv"));
        Assert.Equal(1, missingCode);
        Assert.Contains("none.csv", missingError);
    }

    [Theory]
    [InlineData("--post-training", "srvq,", "--post-training must list method names, none of them empty")]
    [InlineData("--post-training", "srvq,e2e", "--post-training cannot include 'e2e'")]
    [InlineData("--finetune-kbps", "0", "--finetune-kbps must be positive")]
    [InlineData("--margin", "-0.1", "--margin cannot be negative")]
    public void BadOptionsAreRefusedByTheirFlags(string flag, string value, string expected)
    {
        using var folder = new TempFolder();
        var results = folder.File("a.csv");
        ComparisonCsv.Write(results, [Row("srvq", 16, 0.8)]);
        var (code, _, error) = CliRunner.Run("claims", results, flag, value);
        Assert.Equal(1, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("PostTrainingMethods", error);
    }
}
