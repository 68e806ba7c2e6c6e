namespace PostRvq.Quantization;

/// <summary>k-means options; defaults follow faiss's <c>Clustering</c> (25 iterations, at most 256 points per centroid).</summary>
public sealed record KMeansOptions
{
    /// <summary>Number of centroids K; 1024 gives the 10-bit codebooks of the paper and EnCodec.</summary>
    public int Clusters { get; init; } = 1024;

    /// <summary>Lloyd iterations; in mini-batch mode, passes over the data.</summary>
    public int Iterations { get; init; } = 25;

    public int Seed { get; init; }

    /// <summary>Fits on a random subset of at most this many points per centroid (faiss's max_points_per_centroid).</summary>
    public int MaxPointsPerCluster { get; init; } = 256;

    /// <summary>k-means++ seeding looks at a random subset of at most this many points per centroid.</summary>
    public int InitPointsPerCluster { get; init; } = 32;

    /// <summary>
    /// Keeps centroid 0 at the origin, or at the point <see cref="KMeans.Fit"/> is given (seeded there, never moved).
    /// In a residual stage this is an entry that adds
    /// nothing: the stage can pass a residual on unchanged, so RVQ's error never grows with depth, and frames the
    /// first stages already code almost exactly (digital silence) are not pushed off by every later stage's
    /// nearest-to-zero entry. Off by default, as in the paper's RVQ.
    /// </summary>
    public bool KeepZeroCentroid { get; init; }

    /// <summary>Stop when the mean squared error improves by less than this fraction.</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>When set, Sculley's mini-batch k-means with batches of this size replaces full Lloyd iterations.</summary>
    public int? MiniBatchSize { get; init; }

    public void Validate()
    {
        if (Clusters < 1) throw new ArgumentException($"k-means needs at least 1 cluster, got {Clusters}.", nameof(Clusters));
        if (Iterations < 0) throw new ArgumentException($"Iterations must be non-negative, got {Iterations}.", nameof(Iterations));
        if (MaxPointsPerCluster < 1) throw new ArgumentException($"MaxPointsPerCluster must be positive, got {MaxPointsPerCluster}.", nameof(MaxPointsPerCluster));
        if (InitPointsPerCluster < 1) throw new ArgumentException($"InitPointsPerCluster must be positive, got {InitPointsPerCluster}.", nameof(InitPointsPerCluster));
        if (MiniBatchSize is < 1) throw new ArgumentException($"MiniBatchSize must be positive, got {MiniBatchSize}.", nameof(MiniBatchSize));
    }
}
