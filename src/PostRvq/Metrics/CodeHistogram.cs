using static TorchSharp.torch;

namespace PostRvq.Metrics;

/// <summary>Code counts and their empirical entropy, shared by codebook usage and the entropy bitrate.</summary>
static class CodeHistogram
{
    /// <summary>Counts of each code in [0, codebookSize) over all elements of an integer tensor of any shape.</summary>
    internal static long[] Counts(Tensor codes, int codebookSize)
    {
        if (codebookSize < 1) throw new ArgumentOutOfRangeException(nameof(codebookSize), codebookSize, "Codebook size must be positive.");
        if (!is_integral(codes.dtype)) throw new ArgumentException($"Codes must be integers, got {codes.dtype}.", nameof(codes));
        if (codes.numel() == 0) throw new ArgumentException("Codes are empty.", nameof(codes));
        using var scope = NewDisposeScope();
        var flat = codes.flatten().to_type(ScalarType.Int64).cpu();
        var min = flat.min().item<long>();
        var max = flat.max().item<long>();
        if (min < 0 || max >= codebookSize)
            throw new ArgumentException($"Codes span [{min}, {max}], outside [0, {codebookSize}).", nameof(codes));
        return bincount(flat, minlength: codebookSize).data<long>().ToArray();
    }

    /// <summary>Entropy in bits of the empirical distribution given by counts.</summary>
    internal static double EntropyBits(long[] counts)
    {
        double total = counts.Sum();
        return -counts.Where(c => c > 0).Sum(c => c / total * Math.Log2(c / total));
    }
}
