using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// A k-means fit: centroids [K, D], the final mean squared error per point, and what the fit did.
/// <see cref="MseHistory"/> is the MSE of the assignment at each Lloyd iteration, then after the last update.
/// </summary>
public sealed record KMeansResult(Tensor Centroids, double MeanSquaredError, int Iterations, int Reseeded)
{
    public IReadOnlyList<double> MseHistory { get; init; } = [];

    /// <summary>
    /// The fraction by which the last Lloyd update cut the MSE; near zero means the fit had converged before it
    /// stopped. NaN without a history.
    /// </summary>
    public double LastGain => MseHistory.Count < 2 ? double.NaN : (MseHistory[^2] - MseHistory[^1]) / MseHistory[^2];
}

/// <summary>
/// k-means (Lloyd 1982) with k-means++ seeding (Arthur and Vassilvitskii 2007), batched assignment through
/// <see cref="NearestCode"/>, and empty clusters re-seeded from the worst-fitted points, as faiss does. With
/// <see cref="KMeansOptions.MiniBatchSize"/> set it runs mini-batch k-means (Sculley 2010) for large N.
/// Every random choice comes from a generator seeded by <see cref="KMeansOptions.Seed"/>, so a fit is
/// reproducible. It does not handle weighted points or non-Euclidean metrics.
/// </summary>
public static class KMeans
{
    /// <summary>
    /// Fits K centroids to points [N, D] (float32); needs N ≥ K. With <see cref="KMeansOptions.KeepZeroCentroid"/>,
    /// centroid 0 stays at <paramref name="keptCentroid"/> [D] (the origin when null).
    /// </summary>
    public static KMeansResult Fit(Tensor points, KMeansOptions options, IProgress<string>? progress = null, Tensor? keptCentroid = null)
    {
        if (!options.KeepZeroCentroid || keptCentroid is null) return FitAroundOrigin(points, options, progress);
        using var scope = NewDisposeScope();
        // Fitting the shifted points with a centroid kept at the origin keeps it at the given point once shifted back.
        var fit = FitAroundOrigin(points - keptCentroid, options, progress);
        return fit with { Centroids = (fit.Centroids + keptCentroid).MoveToOuterDisposeScope() };
    }

    static KMeansResult FitAroundOrigin(Tensor points, KMeansOptions options, IProgress<string>? progress)
    {
        options.Validate();
        if (points.dim() != 2) throw new ArgumentException($"Expected points [N, D], got [{string.Join(", ", points.shape)}].", nameof(points));
        var count = points.shape[0];
        var k = options.Clusters;
        if (count < k)
            throw new ArgumentException($"k-means with {k} clusters needs at least {k} points, got {count}.", nameof(points));
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)options.Seed, points.device);
        var data = Subsample(points, (long)options.MaxPointsPerCluster * k, generator);
        var centroids = PlusPlusSeeds(Subsample(data, Math.Max((long)options.InitPointsPerCluster * k, k), generator), k, generator, options.KeepZeroCentroid);
        var result = options.MiniBatchSize is { } batch
            ? MiniBatch(data, centroids, options, batch, generator, progress)
            : Lloyd(data, centroids, options, progress);
        return result with { Centroids = result.Centroids.MoveToOuterDisposeScope() };
    }

    static Tensor Subsample(Tensor points, long limit, Generator generator)
    {
        if (points.shape[0] <= limit) return points;
        return points.index_select(0, randperm(points.shape[0], generator: generator, device: points.device).narrow(0, 0, limit));
    }

    /// <summary>
    /// k-means++: each next seed is drawn with probability proportional to its squared distance to the nearest seed.
    /// With <paramref name="zeroFirst"/>, seed 0 is the origin and the draws start from there.
    /// </summary>
    static Tensor PlusPlusSeeds(Tensor points, int k, Generator generator, bool zeroFirst)
    {
        var count = points.shape[0];
        var seeds = empty(k, points.shape[1], dtype: points.dtype, device: points.device);
        var pointNorms = points.square().sum(1);
        var nearest = full(count, double.PositiveInfinity, dtype: points.dtype, device: points.device);
        var first = 0;
        if (zeroFirst)
        {
            seeds[0] = zeros(points.shape[1], dtype: points.dtype, device: points.device);
            nearest.copy_(pointNorms);
            first = 1;
            if (k == 1) return seeds;
        }
        var next = zeroFirst ? DrawByDistance(nearest, generator) : randint(count, [1], generator: generator, device: points.device);
        for (var i = first; i < k; i++)
        {
            using var step = NewDisposeScope();
            var seed = points.index_select(0, next).squeeze(0);
            seeds[i] = seed;
            // ‖x − s‖² = ‖x‖² − 2 x·s + ‖s‖² is one [N]-sized matrix-vector product, where (x − s)² would
            // allocate two [N, D] temporaries per seed (slow when the allocator maps fresh pages for them).
            var distances = points.mv(seed).mul_(-2).add_(pointNorms).add_(seed.dot(seed)).clamp_min_(0);
            nearest.copy_(minimum(nearest, distances));
            if (i == k - 1) break;
            next = DrawByDistance(nearest, generator).MoveToOuterDisposeScope();
        }
        return seeds;
    }

    /// <summary>One point index [1], drawn with probability proportional to its squared distance to the nearest seed.</summary>
    static Tensor DrawByDistance(Tensor nearest, Generator generator)
    {
        // All points coincide with seeds: any point is as good as another.
        var weights = nearest.sum().item<float>() > 0 ? nearest : ones_like(nearest);
        return multinomial(weights, 1, generator: generator);
    }

    static KMeansResult Lloyd(Tensor points, Tensor centroids, KMeansOptions options, IProgress<string>? progress)
    {
        var previous = double.PositiveInfinity;
        var reseeded = 0;
        var mse = double.NaN;
        var iteration = 0;
        var history = new List<double>();
        while (iteration < options.Iterations)
        {
            using var step = NewDisposeScope();
            var nearest = NearestCode.Search(points, centroids);
            mse = nearest.SquaredDistances.mean().item<float>();
            history.Add(mse);
            iteration++;
            var counts = bincount(nearest.Indices, minlength: options.Clusters).to_type(points.dtype);
            var sums = zeros_like(centroids).index_add_(0, nearest.Indices, points, 1.0);
            var updated = sums / counts.clamp_min(1).unsqueeze(1);
            reseeded += ReseedEmpty(updated, counts, points, nearest.SquaredDistances);
            if (options.KeepZeroCentroid) updated[0].zero_();
            centroids.copy_(updated);
            progress?.Report($"k-means iteration {iteration}/{options.Iterations}: MSE {mse:G4}");
            // The first iteration has nothing to compare with (∞ − mse ≤ tol · ∞ would stop it at once).
            if (iteration > 1 && previous - mse <= options.Tolerance * previous) break;
            previous = mse;
        }
        var final = NearestCode.Search(points, centroids).SquaredDistances.mean().item<float>();
        history.Add(final);
        return new KMeansResult(centroids, final, iteration, reseeded) { MseHistory = history };
    }

    /// <summary>Moves each empty centroid onto one of the points with the largest error; returns how many moved.</summary>
    static int ReseedEmpty(Tensor centroids, Tensor counts, Tensor points, Tensor squaredDistances)
    {
        var empties = nonzero(counts == 0).squeeze(1);
        var emptyCount = (int)empties.shape[0];
        if (emptyCount == 0) return 0;
        var worst = squaredDistances.topk(Math.Min(emptyCount, (int)points.shape[0])).indexes;
        centroids.index_copy_(0, empties.narrow(0, 0, worst.shape[0]), points.index_select(0, worst));
        return emptyCount;
    }

    static KMeansResult MiniBatch(Tensor points, Tensor centroids, KMeansOptions options, int batchSize, Generator generator, IProgress<string>? progress)
    {
        var count = points.shape[0];
        var steps = (int)Math.Max(1, options.Iterations * ((count + batchSize - 1) / batchSize));
        var seen = zeros(options.Clusters, dtype: points.dtype, device: points.device);
        var reseeded = 0;
        for (var step = 1; step <= steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var batch = points.index_select(0, randint(count, [Math.Min(batchSize, count)], generator: generator, device: points.device));
            var nearest = NearestCode.Search(batch, centroids);
            var counts = bincount(nearest.Indices, minlength: options.Clusters).to_type(points.dtype);
            var sums = zeros_like(centroids).index_add_(0, nearest.Indices, batch, 1.0);
            seen.add_(counts);
            // Per-centroid learning rate 1/seen makes each centroid the running mean of the points it has won.
            var rate = (counts / seen.clamp_min(1)).unsqueeze(1);
            var batchMeans = sums / counts.clamp_min(1).unsqueeze(1);
            centroids.add_(rate * (batchMeans - centroids));
            if (options.KeepZeroCentroid) centroids[0].zero_();
            if (step % 50 == 0 || step == steps)
            {
                var dead = nonzero(seen == 0).squeeze(1);
                if (dead.shape[0] > 0)
                {
                    reseeded += ReseedEmpty(centroids, seen, batch, nearest.SquaredDistances);
                    if (options.KeepZeroCentroid) centroids[0].zero_();
                    seen.index_fill_(0, dead, 1);
                }
                progress?.Report($"mini-batch k-means step {step}/{steps}");
            }
        }
        var mse = NearestCode.Search(points, centroids).SquaredDistances.mean().item<float>();
        return new KMeansResult(centroids, mse, steps, reseeded);
    }
}
