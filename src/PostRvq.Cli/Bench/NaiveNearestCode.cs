using static TorchSharp.torch;

namespace PostRvq.Cli.Bench;

/// <summary>
/// The textbook nearest-code search that <see cref="Quantization.NearestCode.Search"/> is checked and timed against:
/// ((x − c)²) summed over D by broadcasting, then argmin, with none of the matrix-product form's tricks.
/// </summary>
static class NaiveNearestCode
{
    /// <summary>Indices [N] int64 of the nearest entry of <paramref name="codebook"/> [K, D] to each point of <paramref name="data"/> [N, D].</summary>
    public static Tensor Search(Tensor data, Tensor codebook)
    {
        // 256 rows keep the [b, K, D] difference tensor at 64 MB for K = 1024, D = 64.
        const long rows = 256;
        var indices = empty(data.shape[0], dtype: ScalarType.Int64);
        using var entries = codebook.unsqueeze(0);
        for (long start = 0; start < data.shape[0]; start += rows)
        {
            using var scope = NewDisposeScope();
            var block = data.narrow(0, start, Math.Min(rows, data.shape[0] - start));
            indices.narrow(0, start, block.shape[0]).copy_((block.unsqueeze(1) - entries).square().sum(2).argmin(1));
        }
        return indices;
    }
}
