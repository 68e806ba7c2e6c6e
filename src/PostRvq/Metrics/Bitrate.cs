using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>
/// Bitrate arithmetic of fixed-length codes (docs/metrics.md): kbps = codebooks × log2(codebook size) × frame rate / 1000,
/// with frame rate = sample rate / hop and no entropy coding. <see cref="EntropyKbps"/> is an estimate to report
/// beside it, never instead of it.
/// </summary>
public static class Bitrate
{
    /// <summary>The share of one item a budget may fall short by and still hold it (<see cref="CountWithin"/>).</summary>
    public const double BudgetTolerance = 1e-9;

    /// <summary>Bits per latent frame of <paramref name="codebooks"/> codebooks of <paramref name="codebookSize"/> entries.</summary>
    public static double BitsPerFrame(int codebooks, int codebookSize)
    {
        RequirePositive(codebooks, nameof(codebooks));
        RequireSize(codebookSize);
        return codebooks * Math.Log2(codebookSize);
    }

    /// <summary>kbps of bitsPerFrame bits at frameRate frames per second.</summary>
    public static double KbpsFromBits(double bitsPerFrame, double frameRate)
    {
        RequirePositive(bitsPerFrame, nameof(bitsPerFrame));
        RequirePositive(frameRate, nameof(frameRate));
        return bitsPerFrame * frameRate / 1000.0;
    }

    /// <summary>kbps of <paramref name="codebooks"/> codebooks of <paramref name="codebookSize"/> entries at frameRate Hz.</summary>
    public static double Kbps(int codebooks, int codebookSize, double frameRate) =>
        KbpsFromBits(BitsPerFrame(codebooks, codebookSize), frameRate);

    /// <summary>
    /// The bitrate budget rule, the only place it is written: how many whole items of <paramref name="cost"/> fit in
    /// <paramref name="budget"/>, both in the same unit (bits per frame or kbps): ⌊budget / cost + 10⁻⁹⌋, and 0 when not
    /// one fits (a budget of 0 or less included). Every count of codebooks, stages, levels or whole bits within a
    /// bitrate goes through it.
    /// </summary>
    public static int CountWithin(double budget, double cost)
    {
        if (!double.IsFinite(budget)) throw new ArgumentException($"{nameof(budget)} must be finite, got {budget}.", nameof(budget));
        RequirePositive(cost, nameof(cost));
        // A budget short of a whole item by less than 10⁻⁹ of it is float rounding of an exact budget (24 kbps at 75 Hz is
        // 32 × 10 bits), not a real shortfall, so it keeps the item.
        var count = Math.Floor(budget / cost + BudgetTolerance);
        return (int)Math.Clamp(count, 0, int.MaxValue);
    }

    /// <summary>Whether one more item of <paramref name="cost"/> fits in <paramref name="budget"/> after <paramref name="spent"/> (<see cref="CountWithin"/>).</summary>
    public static bool FitsAfter(double spent, double cost, double budget) => CountWithin(budget - spent, cost) >= 1;

    /// <summary>
    /// Streams in the longest prefix of codebooks of <paramref name="codebookSizes"/> entries whose bits Σ log2 K_q fit in
    /// <paramref name="bitsBudget"/> bits per frame (<see cref="CountWithin"/> stream by stream); 0 when not even the first fits.
    /// </summary>
    public static int StreamsWithin(IReadOnlyList<long> codebookSizes, double bitsBudget)
    {
        var streams = 0;
        var spent = 0.0;
        while (streams < codebookSizes.Count && FitsAfter(spent, Math.Log2(codebookSizes[streams]), bitsBudget))
            spent += Math.Log2(codebookSizes[streams++]);
        return streams;
    }

    /// <summary>Fixed-length bits per frame that <paramref name="targetKbps"/> allows at <paramref name="frameRate"/> frames/s.</summary>
    public static double BitsPerFrameBudget(double targetKbps, double frameRate) => targetKbps * 1000.0 / frameRate;

    /// <summary>
    /// The largest number of codebooks whose bitrate does not exceed targetKbps (<see cref="CountWithin"/>), and at least 1;
    /// codebookSize must be a power of two.
    /// </summary>
    public static int CodebooksFor(double targetKbps, int codebookSize, double frameRate)
    {
        RequirePositive(targetKbps, nameof(targetKbps));
        RequirePositive(frameRate, nameof(frameRate));
        RequireSize(codebookSize);
        if (!int.IsPow2(codebookSize))
            throw new ArgumentException($"Codebook size must be a power of two, got {codebookSize}.", nameof(codebookSize));
        return Math.Max(1, CountWithin(targetKbps, Math.Log2(codebookSize) * frameRate / 1000.0));
    }

    /// <summary>
    /// Throws unless <paramref name="targetKbps"/> reaches one codebook of <paramref name="codebookSize"/> entries at
    /// <paramref name="frameRate"/> (<see cref="CountWithin"/>): below it, <see cref="CodebooksFor"/> would still give one
    /// codebook and overshoot the target without a word. <paramref name="option"/>, when given, starts the message (e.g. <c>--kbps</c>).
    /// </summary>
    public static void RequireOneCodebook(double targetKbps, long codebookSize, double frameRate, string? option = null)
    {
        RequirePositive(targetKbps, nameof(targetKbps));
        RequirePositive(frameRate, nameof(frameRate));
        if (codebookSize < 2) throw new ArgumentException($"Codebook size must be at least 2, got {codebookSize}.", nameof(codebookSize));
        var smallest = Math.Log2(codebookSize) * frameRate / 1000.0;
        if (CountWithin(targetKbps, smallest) < 1)
            throw new ArgumentException(
                $"{(option is null ? "" : option + " ")}{targetKbps:0.###} kbps is below one codebook: the smallest bitrate possible is "
                + $"{smallest:0.###} kbps (one {codebookSize}-entry codebook at {frameRate:0.###} frames/s)");
    }

    /// <summary>
    /// Empirical entropy rate in kbps of codes [B, nq, T]: for each codebook the entropy (bits) of its code histogram
    /// over B and T, summed over the nq codebooks, times frameRate / 1000.
    /// </summary>
    public static double EntropyKbps(Tensor codes, int codebookSize, double frameRate)
    {
        RequirePositive(frameRate, nameof(frameRate));
        if (codes.dim() != 3)
            throw new ArgumentException($"Expected codes [B, nq, T], got [{string.Join(", ", codes.shape)}].", nameof(codes));
        var bits = 0.0;
        for (var q = 0; q < codes.shape[1]; q++)
        {
            using var codebookCodes = codes.select(1, q);
            bits += CodeHistogram.EntropyBits(CodeHistogram.Counts(codebookCodes, codebookSize));
        }
        return bits * frameRate / 1000.0;
    }

    static void RequirePositive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentException($"{name} must be positive and finite, got {value}.", name);
    }

    static void RequireSize(int codebookSize)
    {
        if (codebookSize < 2)
            throw new ArgumentException($"Codebook size must be at least 2, got {codebookSize}.", nameof(codebookSize));
    }
}
