using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>Nearest codebook entries of each point and their squared distances.</summary>
public sealed record NearestCodes(Tensor Indices, Tensor SquaredDistances);

/// <summary>
/// Exhaustive nearest-code search by the matrix-product form ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖² (as faiss does), so
/// the work is one sgemm per chunk: <c>addmm(‖c‖², x, cᵀ, α = −2)</c> then an argmin over codes.
/// </summary>
public static class NearestCode
{
    /// <summary>Rows per sgemm: large enough for a fast matrix product, small enough to bound the [chunk, K] buffer.</summary>
    public const long DefaultChunk = 8192;

    /// <summary>
    /// Points [N, D] against a codebook [K, D] with its squared norms [K] (pass null to compute them).
    /// Returns indices [N] int64 and squared distances [N] (clamped at 0 against rounding).
    /// </summary>
    public static NearestCodes Search(Tensor points, Tensor codebook, Tensor? codebookSquaredNorms = null, long chunk = DefaultChunk)
    {
        using var scope = NewDisposeScope();
        var norms = codebookSquaredNorms ?? codebook.square().sum(1);
        var transposed = codebook.t();
        var count = points.shape[0];
        var indices = empty(count, dtype: ScalarType.Int64, device: points.device);
        var distances = empty(count, dtype: points.dtype, device: points.device);
        for (long start = 0; start < count; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            var length = Math.Min(chunk, count - start);
            var block = points.narrow(0, start, length);
            var partial = addmm(norms.unsqueeze(0), block, transposed, beta: 1, alpha: -2);
            var (best, index) = partial.min(1);
            indices.narrow(0, start, length).copy_(index);
            distances.narrow(0, start, length).copy_((best + block.square().sum(1)).clamp_min(0));
        }
        return new NearestCodes(indices.MoveToOuterDisposeScope(), distances.MoveToOuterDisposeScope());
    }
}
