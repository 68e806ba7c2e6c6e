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
    /// <summary>
    /// Elements of the [chunk, K] distance buffer: 4 MB of float32, small enough that the allocator reuses it instead
    /// of mapping (and the kernel zeroing) fresh pages on every call, large enough to keep sgemm at full speed
    /// (docs/performance.md has the measurements).
    /// </summary>
    public const long BufferElements = 1 << 20;

    /// <summary>Rows per sgemm for a codebook of <paramref name="codebookSize"/> entries, so the buffer holds <see cref="BufferElements"/>.</summary>
    public static long ChunkFor(long codebookSize) => Math.Clamp(BufferElements / Math.Max(1, codebookSize), 64, 65536);

    /// <summary>
    /// Points [N, D] against a codebook [K, D] with its squared norms [K] (pass null to compute them), in chunks of
    /// <paramref name="chunk"/> rows (default <see cref="ChunkFor"/> K).
    /// Returns indices [N] int64 and squared distances [N] (clamped at 0 against rounding).
    /// </summary>
    public static NearestCodes Search(Tensor points, Tensor codebook, Tensor? codebookSquaredNorms = null, long? chunk = null)
    {
        using var scope = NewDisposeScope();
        var rows = chunk ?? ChunkFor(codebook.shape[0]);
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(chunk), $"chunk must be positive, got {rows}");
        var norms = codebookSquaredNorms ?? codebook.square().sum(1);
        var transposed = codebook.t();
        var count = points.shape[0];
        var indices = empty(count, dtype: ScalarType.Int64, device: points.device);
        var distances = empty(count, dtype: points.dtype, device: points.device);
        for (long start = 0; start < count; start += rows)
        {
            using var chunkScope = NewDisposeScope();
            var length = Math.Min(rows, count - start);
            var block = points.narrow(0, start, length);
            var partial = addmm(norms.unsqueeze(0), block, transposed, beta: 1, alpha: -2);
            var (best, index) = partial.min(1);
            indices.narrow(0, start, length).copy_(index);
            distances.narrow(0, start, length).copy_((best + block.square().sum(1)).clamp_min(0));
        }
        return new NearestCodes(indices.MoveToOuterDisposeScope(), distances.MoveToOuterDisposeScope());
    }
}
