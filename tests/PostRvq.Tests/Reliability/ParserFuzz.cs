using CsCheck;

namespace PostRvq.Tests.Reliability;

/// <summary>What a fuzz run saw: cases loaded, refused with the documented exception, and anything else.</summary>
sealed record FuzzReport(string Parser, int Cases, ulong Seed, int Loaded, int Refused, IReadOnlyList<string> Findings, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Parser}: {Cases} cases (seed {Seed}): {Loaded} loaded, {Refused} refused with the documented exception, {Findings.Count} findings, {Elapsed.TotalSeconds:F1} s";
}

/// <summary>
/// Runs a <see cref="FuzzTarget"/> over generated cases. Case i is generated from its own PCG seed, so a run is the
/// same for the same seed, and a longer run (scripts/fuzz) extends a shorter one. POSTRVQ_FUZZ_ITERATIONS sets the
/// case count, POSTRVQ_FUZZ_SEED the seed (a number, or "random"), and POSTRVQ_FUZZ_REPORT a file each run appends
/// its summary and findings to.
/// </summary>
static class ParserFuzz
{
    // Longer than any load of these small files takes; a case that runs past it is reported as a hang.
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The CI seed; scripts/fuzz passes another.</summary>
    const ulong FixedSeed = 14;

    public static int Cases(int ciCases) =>
        int.TryParse(Environment.GetEnvironmentVariable("POSTRVQ_FUZZ_ITERATIONS"), out var cases) && cases > 0 ? cases : ciCases;

    public static ulong Seed => Environment.GetEnvironmentVariable("POSTRVQ_FUZZ_SEED") switch
    {
        null or "" => FixedSeed,
        "random" => (ulong)Random.Shared.NextInt64(),
        var text => ulong.Parse(text),
    };

    static Gen<FuzzCase> CaseGen(FuzzTarget target)
    {
        var mutation = FileMutation.Gen(target.Fields);
        return Gen.Select(Gen.Int[0, target.Valid.Count - 1], Gen.Bool, Gen.Int[1, 3], mutation, mutation, mutation,
            (file, sealedCase, count, a, b, c) => new FuzzCase(file, sealedCase, new[] { a, b, c }.Take(count).ToArray()));
    }

    /// <summary>Runs <paramref name="ciCases"/> cases (or POSTRVQ_FUZZ_ITERATIONS) and reports what each did.</summary>
    public static FuzzReport Run(FuzzTarget target, int ciCases)
    {
        var cases = Cases(ciCases);
        var seed = Seed;
        var gen = CaseGen(target);
        var findings = new Dictionary<string, string>();
        int loaded = 0, refused = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var folder = new TempFolder();
        var path = folder.File("case" + target.Extension);
        for (var i = 0; i < cases; i++)
        {
            var pcg = new PCG((uint)i, seed);
            var fuzzCase = gen.Generate(pcg, null!, out _);
            File.WriteAllBytes(path, target.Build(fuzzCase));
            var load = Task.Run(() => target.Load(path));
            try
            {
                if (!load.Wait(Timeout))
                {
                    findings.TryAdd("hang", $"case {i} ({fuzzCase}) still running after {Timeout.TotalSeconds} s");
                    break;
                }
                loaded++;
            }
            catch (AggregateException wrapped) when (wrapped.InnerException is { } e)
            {
                if (e.GetType() == target.Documented && e.Message.Contains(path, StringComparison.Ordinal)) refused++;
                else findings.TryAdd(Signature(e), $"case {i} ({fuzzCase}): {e.GetType().Name}: {e.Message}\n{TopFrames(e)}");
            }
        }
        var report = new FuzzReport(target.Name, cases, seed, loaded, refused, findings.Values.ToList(), clock.Elapsed);
        Record(report);
        return report;
    }

    // One finding per exception type, place and documented-or-not, so a thousand cases of one bug are one line.
    static string Signature(Exception e) =>
        $"{e.GetType().FullName} at {e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("PostRvq", StringComparison.Ordinal))?.Trim()}";

    static string TopFrames(Exception e) => string.Join("\n", (e.StackTrace ?? "").Split('\n').Take(6));

    static void Record(FuzzReport report)
    {
        var file = Environment.GetEnvironmentVariable("POSTRVQ_FUZZ_REPORT");
        if (string.IsNullOrEmpty(file)) return;
        lock (typeof(ParserFuzz))
            File.AppendAllText(file, report + "\n" + string.Concat(report.Findings.Select(f => "  finding: " + f.Replace("\n", "\n    ") + "\n")));
    }
}
