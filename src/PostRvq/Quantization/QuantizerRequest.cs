namespace PostRvq.Quantization;

/// <summary>
/// What a comparison asks of a quantizer family: code latents of <paramref name="Dimension"/> dims at no more
/// than <paramref name="TargetKbps"/> at <paramref name="FrameRate"/> frames/s. CodebookSize is the paper's 10 bits.
/// </summary>
public sealed record QuantizerRequest(int Dimension, double TargetKbps, double FrameRate, int Seed = 0)
{
    public int CodebookSize { get; init; } = 1024;

    /// <summary>k-means settings for families that use it.</summary>
    public KMeansOptions KMeans { get; init; } = new();

    /// <summary>Fixed-length bits per frame the target allows.</summary>
    public double BitsPerFrameBudget => Metrics.Bitrate.BitsPerFrameBudget(TargetKbps, FrameRate);

    /// <summary>Codebooks of <see cref="CodebookSize"/> entries that fit the target (at least 1).</summary>
    public int Codebooks => Metrics.Bitrate.CodebooksFor(TargetKbps, CodebookSize, FrameRate);
}
