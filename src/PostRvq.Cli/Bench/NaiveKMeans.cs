using static TorchSharp.torch;

namespace PostRvq.Cli.Bench;

/// <summary>
/// Plain Lloyd k-means on <see cref="NaiveNearestCode"/>, the reference <see cref="Quantization.KMeans.Fit"/> is timed
/// against: seeded with K random points, no k-means++, no subsampling, no early stop.
/// </summary>
static class NaiveKMeans
{
    /// <summary>Runs <paramref name="iterations"/> Lloyd steps with <paramref name="k"/> centroids on <paramref name="data"/> [N, D]; returns the final MSE.</summary>
    public static double Fit(Tensor data, int k, int iterations, int seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var centroids = data.index_select(0, randperm(data.shape[0], generator: generator).narrow(0, 0, k));
        for (var i = 0; i < iterations; i++)
        {
            using var step = NewDisposeScope();
            var assignment = NaiveNearestCode.Search(data, centroids);
            var counts = bincount(assignment, minlength: k).to_type(ScalarType.Float32).unsqueeze(1);
            var sums = zeros_like(centroids).index_add_(0, assignment, data, 1.0);
            // Empty clusters keep their centroid.
            centroids.copy_(where(counts > 0, sums / counts.clamp_min(1), centroids));
        }
        var final = NaiveNearestCode.Search(data, centroids);
        return (data - centroids.index_select(0, final)).square().sum(1).mean().item<float>();
    }
}
