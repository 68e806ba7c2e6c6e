namespace PostRvq.Quantization;

/// <summary>
/// Residual vector quantizer options. Defaults are the paper's: 10-bit codebooks (1024 entries) and enough
/// stages for 24 kbps at 75 Hz (32); a fit at full depth serves every lower bitrate by truncation.
/// </summary>
public sealed record RvqOptions
{
    /// <summary>The provenance key a fit writes when every stage keeps a zero entry (<see cref="KMeansOptions.KeepZeroCentroid"/>).</summary>
    public const string ZeroEntryKey = "zeroEntry";

    public const string ZeroEntryNote = "entry 0 of every stage adds nothing to the decoded latent";

    public int Codebooks { get; init; } = 32;
    public int CodebookSize { get; init; } = 1024;

    /// <summary>k-means for each stage; its Clusters is replaced by <see cref="CodebookSize"/> and its seed offset by the stage.</summary>
    public KMeansOptions KMeans { get; init; } = new();

    public int Seed { get; init; }

    /// <summary>
    /// Partial code sequences kept while encoding (faiss's max_beam_size); 1 is greedy. Wider beams search jointly
    /// over stages at test time without refitting, as in "Improving Test-Time Performance of RVQ-based Neural Codecs".
    /// </summary>
    public int BeamWidth { get; init; } = 1;

    public void Validate()
    {
        if (Codebooks < 1) throw new ArgumentException($"An RVQ needs at least 1 codebook, got {Codebooks}.", nameof(Codebooks));
        if (CodebookSize < 2) throw new ArgumentException($"Codebooks need at least 2 entries, got {CodebookSize}.", nameof(CodebookSize));
        if (BeamWidth < 1) throw new ArgumentException($"The beam width must be at least 1, got {BeamWidth}.", nameof(BeamWidth));
        KMeans.Validate();
    }

    /// <summary>The k-means of stage <paramref name="stage"/>: K = CodebookSize and a stage-specific seed.</summary>
    public KMeansOptions StageKMeans(int stage) => KMeans with { Clusters = CodebookSize, Seed = Seed * 1000 + stage };
}
