namespace PostRvq.Evaluation;

/// <summary>
/// How the paper's claims are tested. Quality is the mel distance, as in the paper's tables. Every comparison is a
/// paired bootstrap over the test clips (<see cref="PairedBootstrap"/>).
/// </summary>
public sealed record ClaimOptions
{
    /// <summary>The bitrate of the finetuning and E2E claims (the paper's 16 kbps).</summary>
    public double FinetuneKbps { get; init; } = 16;

    public int Resamples { get; init; } = PairedBootstrap.DefaultResamples;

    public double Confidence { get; init; } = 0.95;

    public int Seed { get; init; }

    /// <summary>
    /// How much worse in mel PostRVQ may be and still count as "at least as good as" E2E: 0.05, half the smallest
    /// gap the paper reports as a finding (standardization at 16 kbps, 0.11 mel).
    /// </summary>
    public double NonInferiorityMarginMel { get; init; } = 0.05;

    /// <summary>
    /// The post-training quantizers (result methods, without a finetuned decoder) that claim 4 also sets against E2E at
    /// every bitrate both were scored at, and whose rate curves claim 1 also lists: the paper's srvq, and any other a
    /// study adds, such as gs-srvq. Both claims keep their verdicts on the paper's systems.
    /// </summary>
    public IReadOnlyList<string> PostTrainingMethods { get; init; } = ["srvq"];

    public void Validate()
    {
        if (PostTrainingMethods is null || PostTrainingMethods.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("PostTrainingMethods must list method names, none of them empty.", nameof(PostTrainingMethods));
        if (PostTrainingMethods.FirstOrDefault(m => m is Claims.EndToEnd or Claims.Continuous) is { } wrong)
            throw new ArgumentException($"PostTrainingMethods cannot include '{wrong}', which is not a post-training quantizer.", nameof(PostTrainingMethods));
        if (!(FinetuneKbps > 0)) throw new ArgumentException($"FinetuneKbps must be positive, got {FinetuneKbps}.", nameof(FinetuneKbps));
        if (!(NonInferiorityMarginMel >= 0)) throw new ArgumentException($"NonInferiorityMarginMel cannot be negative, got {NonInferiorityMarginMel}.", nameof(NonInferiorityMarginMel));
    }
}
