namespace PostRvq.Cli.Pipeline;

/// <summary>
/// What <c>postrvq pipeline</c> runs. The defaults reproduce the paper's comparison on the committed samples with
/// the shipped tiny-cpu models in a few CPU minutes: the paper's bitrates and 10-bit codebooks, with k-means cut to
/// 10 Lloyd iterations and at most 20,000 fit frames so every family fits quickly.
/// </summary>
public sealed record PaperPipelineOptions
{
    public string Data { get; init; } = "data/samples";
    public string Config { get; init; } = "tiny-cpu";
    public string Model { get; init; } = "data/models/tiny-cpu.model";

    /// <summary>A finetuned decoder; its quantizer is the .quantizer file of the same name.</summary>
    public string FinetunedModel { get; init; } = "data/models/tiny-cpu-finetuned-16k.model";

    /// <summary>An E2E codec; its quantizer is the .quantizer file of the same name.</summary>
    public string E2EModel { get; init; } = "data/models/tiny-cpu-e2e.model";

    /// <summary>Train the continuous, finetuned and E2E models from scratch instead of loading the shipped ones.</summary>
    public bool Train { get; init; }

    public IReadOnlyList<string> Methods { get; init; } = ["rvq", "srvq", "srvq-stage", "pq", "scalar", "lloydmax", "fsq", "rfsq"];
    public IReadOnlyList<double> Kbps { get; init; } = [3, 10, 16, 24];

    /// <summary>The bitrate the decoder is finetuned for (the paper's 16 kbps).</summary>
    public double FinetuneKbps { get; init; } = 16;

    /// <summary>
    /// Entries per codebook; null means the paper's 1024, halved while the fit set has fewer than 32 frames per
    /// entry (the committed samples give ~4,500 train frames: 1024 entries would memorise them in one stage and
    /// leave nothing for the later stages to learn).
    /// </summary>
    public int? CodebookSize { get; init; }

    public int KMeansIterations { get; init; } = 10;
    public long MaxTrainFrames { get; init; } = 20_000;

    /// <summary>Test clips in the report's listening table.</summary>
    public int ReportClips { get; init; } = 5;

    public int Seed { get; init; }

    /// <summary>Steps for each trained model with <see cref="Train"/> (null: the config's).</summary>
    public int? TrainSteps { get; init; }

    /// <summary>The codebook size for a fit set of <paramref name="frames"/> frames (see <see cref="CodebookSize"/>).</summary>
    public int CodebookSizeFor(long frames)
    {
        if (CodebookSize is { } fixedSize) return fixedSize;
        var size = 1024;
        while (size > 16 && frames < 32L * size) size /= 2;
        return size;
    }

    public static string QuantizerOf(string modelPath) => Path.ChangeExtension(modelPath, Quantization.QuantizerFile.Extension);
}
