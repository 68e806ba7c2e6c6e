using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// A quantizer fitted after training on a fixed latent dataset, in faiss's train/encode/decode shape.
/// Latents are channel-first [B, D, T]; a latent dataset for <see cref="Fit"/> is [N, D]; codes are int64
/// [B, nq, T] with codebook q's entries in [0, CodebookSizes[q]).
/// </summary>
public interface IQuantizer
{
    /// <summary>
    /// The quantizer's kind, such as "rvq" or "srvq" (<see cref="QuantizerKinds"/>): its method in the
    /// <see cref="QuantizerZoo"/> and in results, and the kind its files load by.
    /// </summary>
    string Kind { get; }

    /// <summary>Latent dimension D.</summary>
    int Dimension { get; }

    /// <summary>Number of code streams nq per frame.</summary>
    int Codebooks { get; }

    /// <summary>Entries of each codebook; codes of stream q lie in [0, CodebookSizes[q]).</summary>
    IReadOnlyList<long> CodebookSizes { get; }

    /// <summary>Σ log2(CodebookSizes[q]): the fixed-length bits that one latent frame costs.</summary>
    double BitsPerFrame { get; }

    bool IsFitted { get; }

    /// <summary>Fits on latents [N, D]; the same seed and data give the same fit.</summary>
    void Fit(Tensor latents, IProgress<FitProgress>? progress = null);

    /// <summary>z [B, D, T] → codes [B, nq, T] int64.</summary>
    Tensor Encode(Tensor z);

    /// <summary>codes [B, nq, T] int64 → z_q [B, D, T].</summary>
    Tensor Decode(Tensor codes);

    /// <summary>Encodes and decodes z [B, D, T] in one call; Quantized equals Decode(Encode(z)).</summary>
    QuantizerOutput Quantize(Tensor z);

    /// <summary>Writes the fitted quantizer to <paramref name="path"/> atomically (see <see cref="QuantizerFile"/>).</summary>
    void Save(string path);
}

/// <summary>A quantizer whose first n code streams form a coarser quantizer, so one fit serves every bitrate up to its depth.</summary>
public interface ITruncatableQuantizer : IQuantizer
{
    /// <summary>A quantizer that uses only the first <paramref name="codebooks"/> streams; it shares this one's codebooks.</summary>
    IQuantizer Truncate(int codebooks);
}

/// <summary>Progress of a fit: which stage of how many, and a free-form detail such as the k-means iteration.</summary>
public sealed record FitProgress(int Stage, int Stages, string Detail);
