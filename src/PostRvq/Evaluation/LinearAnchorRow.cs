using PostRvq.Audio;
using PostRvq.Latents;
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Evaluation;

/// <summary>
/// The floor a trained MDCT model must clear: its linear codec alone (the MDCT projected on the top principal
/// components of the training frames, no learned blocks), scored on the same clips as the continuous row.
/// </summary>
public static class LinearAnchorRow
{
    public const string Method = "linear-pca";

    /// <summary>Fits the anchor on <paramref name="train"/> and scores it on <paramref name="clips"/>.</summary>
    /// <param name="options">The trained model's options; only its transform and latent size matter.</param>
    /// <param name="train">Clips the principal components are fitted on, at the model's sample rate.</param>
    /// <param name="clips">Evaluation clips at the model's sample rate.</param>
    /// <param name="split">The split the clips come from, for the row.</param>
    public static ComparisonRow Score(AutoencoderOptions options, IReadOnlyList<AudioClip> train, IReadOnlyList<AudioClip> clips, string split)
    {
        using var model = MdctLinearInit.AnchorModel(options, MdctLinearInit.Fit(train, options));
        var decoded = clips.Select(clip =>
        {
            using var scope = NewDisposeScope();
            using var z = LatentCodec.Encode(model, clip);
            return LatentCodec.Decode(model, z, clip.Length);
        }).ToList();
        var scores = QuantizerComparison.Score(clips, decoded);
        var mean = Metrics.AudioMetrics.Mean(scores);
        return new ComparisonRow
        {
            Method = Method, Split = split, Mel = mean.Mel, Stft = mean.Stft, SiSdr = mean.SiSdr, Snr = mean.Snr, Clips = scores,
        };
    }
}
