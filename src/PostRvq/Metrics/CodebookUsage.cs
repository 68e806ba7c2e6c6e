namespace PostRvq.Metrics;

/// <summary>
/// Usage of one codebook on a code set: fraction of entries used at least once, perplexity exp(H) of the code
/// histogram (natural-log entropy, so it ranges from 1 to the codebook size), dead entries, and H in bits.
/// </summary>
public sealed record CodebookUsageResult(int CodebookSize, double UsedFraction, double Perplexity, int DeadCount, double EntropyBits);

/// <summary>Codebook usage statistics from docs/metrics.md.</summary>
public static class CodebookUsage
{
    /// <summary>
    /// Statistics of the codes of one codebook: an integer tensor of any shape (all elements are pooled) with values in
    /// [0, codebookSize); throws <see cref="ArgumentException"/> otherwise or when it is empty.
    /// </summary>
    public static CodebookUsageResult Compute(TorchSharp.torch.Tensor codes, int codebookSize)
    {
        var counts = CodeHistogram.Counts(codes, codebookSize);
        var used = counts.Count(c => c > 0);
        var entropyBits = CodeHistogram.EntropyBits(counts);
        return new CodebookUsageResult(
            codebookSize, (double)used / codebookSize, Math.Pow(2.0, entropyBits), codebookSize - used, entropyBits);
    }
}
