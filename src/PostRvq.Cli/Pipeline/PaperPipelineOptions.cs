namespace PostRvq.Cli.Pipeline;

/// <summary>
/// What <c>postrvq pipeline</c> runs. The defaults reproduce the paper's quantizer comparison on the committed
/// samples with the shipped tiny-cpu model in a few CPU minutes: the paper's bitrates and 10-bit codebooks, with
/// k-means cut to 10 Lloyd iterations and at most 20,000 fit frames so every family fits quickly. The finetuned and
/// E2E rows need models trained on the same continuous model: pass them, or <see cref="Train"/>; with the shipped
/// model, the command line takes each shipped codec (<see cref="ShippedFinetunedModel"/> and the others) that exists.
/// </summary>
public sealed record PaperPipelineOptions
{
    public string Data { get; init; } = "data/samples";
    public string Config { get; init; } = "tiny-cpu";
    public string Model { get; init; } = "data/models/tiny-cpu.model";

    /// <summary>A finetuned decoder of <see cref="Model"/>; its quantizer is the .quantizer file of the same name. Null: no finetuned row.</summary>
    public string? FinetunedModel { get; init; }

    /// <summary>
    /// A decoder of <see cref="Model"/> finetuned on bitrates sampled from a set (the paper's {3, 10, 16, 24}), scored at
    /// every bitrate of <see cref="Kbps"/>; its quantizer is the .quantizer file of the same name. Null: no such rows.
    /// </summary>
    public string? FinetunedSetModel { get; init; }

    /// <summary>An E2E codec of <see cref="Model"/>'s architecture; its quantizer is the .quantizer file of the same name. Null: no E2E row.</summary>
    public string? E2EModel { get; init; }

    /// <summary>Train the continuous, finetuned and E2E models from scratch instead of loading the shipped ones.</summary>
    public bool Train { get; init; }

    /// <summary>Whether the run has a finetuned decoder: trained by it, or given.</summary>
    public bool HasFinetuned => Train || FinetunedModel is not null;

    /// <summary>Whether the run has a decoder finetuned on a set of bitrates (only when given).</summary>
    public bool HasFinetunedSet => FinetunedSetModel is not null;

    /// <summary>Whether the run has an E2E baseline: trained by it, or given.</summary>
    public bool HasE2E => Train || E2EModel is not null;

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

    /// <summary>Every residual stage keeps a zero entry (<see cref="Quantization.KMeansOptions.KeepZeroCentroid"/>).</summary>
    public bool ZeroEntry { get; init; }
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

    /// <summary>The decoder shipped beside <c>data/models/tiny-cpu.model</c> finetuned at 16 kbps, with its .quantizer of the same name.</summary>
    public const string ShippedFinetunedModel = "data/models/tiny-cpu-finetuned-16k.model";

    /// <summary>The decoder shipped beside <c>data/models/tiny-cpu.model</c> finetuned on a set of bitrates, with its .quantizer.</summary>
    public const string ShippedFinetunedSetModel = "data/models/tiny-cpu-finetuned-set.model";

    /// <summary>The E2E codec shipped beside <c>data/models/tiny-cpu.model</c>, with its .quantizer.</summary>
    public const string ShippedE2EModel = "data/models/tiny-cpu-e2e.model";

    public static string QuantizerOf(string modelPath) => Path.ChangeExtension(modelPath, Quantization.QuantizerFile.Extension);
}
