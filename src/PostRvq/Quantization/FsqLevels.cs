namespace PostRvq.Quantization;

/// <summary>
/// The level sets Mentzer et al. 2023 ("Finite Scalar Quantization: VQ-VAE Made Simple", Table 1) recommend per
/// codebook size, and the rules that turn a bit budget or codebook size into per-component levels.
/// </summary>
public static class FsqLevels
{
    /// <summary>The paper's sets for codebooks of about 2^8, 2^10, 2^12, 2^14 and 2^16 entries.</summary>
    public static IReadOnlyList<int[]> Recommended { get; } =
    [
        [8, 6, 5],
        [8, 5, 5, 5],
        [7, 5, 5, 5, 5],
        [8, 8, 8, 6, 5],
        [8, 8, 8, 5, 5, 5],
    ];

    /// <summary>Bits of a code over these levels: Σ log2 L.</summary>
    public static double Bits(IEnumerable<int> levels) => levels.Sum(l => Math.Log2(l));

    /// <summary>
    /// Per-component levels for one FSQ over <paramref name="components"/> components within
    /// <paramref name="bitsBudget"/>: for each recommended set, components take the set's levels in turn (one
    /// code stream per repetition of the set) while the next one still fits; the set that spends the most bits
    /// wins (ties go to the smaller set). Components left over are not coded, so PCA whitening, which puts the
    /// largest-variance components first, drops the least. Once every component is coded FSQ cannot spend more
    /// (about 2.7 bits per component); residual FSQ is the way to higher rates. When no level fits, one component
    /// of 2 levels is coded.
    /// </summary>
    public static (int[] Levels, int GroupSize) ForBudget(int components, double bitsBudget)
    {
        var best = (Levels: new[] { 2 }, GroupSize: 1);
        var bestBits = 0.0;
        foreach (var set in Recommended)
        {
            var levels = new List<int>();
            while (levels.Count < components && Metrics.Bitrate.FitsAfter(Bits(levels), Math.Log2(set[levels.Count % set.Length]), bitsBudget))
                levels.Add(set[levels.Count % set.Length]);
            if (Bits(levels) > bestBits + 1e-12)
            {
                best = (levels.ToArray(), set.Length);
                bestBits = Bits(levels);
            }
        }
        return best;
    }

    /// <summary>
    /// The levels of one code of at most <paramref name="codebookSize"/> entries: the largest recommended set
    /// that fits, else the longest prefix of the smallest set that fits, else [codebookSize] (for K &lt; 8).
    /// </summary>
    public static int[] ForCodebookSize(int codebookSize)
    {
        if (codebookSize < 2) throw new ArgumentOutOfRangeException(nameof(codebookSize), codebookSize, "A code needs at least 2 entries.");
        static long Product(IEnumerable<int> levels) => levels.Aggregate(1L, (a, l) => a * l);
        var fitting = Recommended.LastOrDefault(set => Product(set) <= codebookSize);
        if (fitting is not null) return fitting;
        var smallest = Recommended[0];
        var prefix = Enumerable.Range(1, smallest.Length).Select(n => smallest.Take(n).ToArray()).LastOrDefault(p => Product(p) <= codebookSize);
        return prefix ?? [codebookSize];
    }
}
