namespace PostRvq.Training;

/// <summary>
/// One progress event of a training run. Losses use namespaced keys: <c>mel</c>, <c>stft</c>, <c>adv/gen</c>,
/// <c>adv/feat</c>, <c>adv/disc</c>, and <c>loss</c> for the weighted generator total; a finetuning run adds the batch's
/// <c>kbps</c>, an E2E run <c>vq/commit</c>, <c>vq/codebook</c> and the codebook usage <c>vq/used</c>, <c>vq/perplexity</c>
/// and <c>vq/dead</c>. A validation event carries
/// <see cref="Validation"/>.
/// </summary>
public sealed record TrainStep(
    long Step,
    long TotalSteps,
    IReadOnlyDictionary<string, double> Losses,
    double StepsPerSecond,
    TimeSpan Eta,
    double LearningRate,
    Metrics.AudioMetricValues? Validation = null)
{
    public bool IsValidation => Validation is not null;
}
