using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Base of quantizers that code each latent frame on its own: subclasses work on frames [N, D] and this class
/// moves between them and channel-first latents [B, D, T], checks shapes and fit state, and saves through
/// <see cref="QuantizerFile"/>.
/// </summary>
public abstract class FrameQuantizer : IQuantizer
{
    protected FrameQuantizer(int dimension)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The latent dimension must be at least 1.");
        Dimension = dimension;
    }

    public abstract string Kind { get; }
    public int Dimension { get; }
    public abstract int Codebooks { get; }
    public abstract IReadOnlyList<long> CodebookSizes { get; }
    public double BitsPerFrame => CodebookSizes.Sum(size => Math.Log2(size));
    public abstract bool IsFitted { get; }

    /// <summary>Free-form provenance kept in the saved file, such as the latent set a quantizer was fitted on.</summary>
    public Dictionary<string, string> Provenance { get; init; } = [];

    public void Fit(Tensor latents, IProgress<FitProgress>? progress = null)
    {
        RequireLatentSet(latents);
        using var scope = NewDisposeScope();
        FitFrames(latents.to_type(ScalarType.Float32), progress);
    }

    public Tensor Encode(Tensor z)
    {
        RequireFitted();
        var (batch, steps) = RequireChannelFirst(z, nameof(z));
        using var scope = NewDisposeScope();
        var frames = z.to_type(ScalarType.Float32).permute(0, 2, 1).reshape(-1, Dimension);
        var codes = EncodeFrames(frames);
        return codes.reshape(batch, steps, Codebooks).permute(0, 2, 1).contiguous().MoveToOuterDisposeScope();
    }

    public Tensor Decode(Tensor codes)
    {
        RequireFitted();
        RequireCodes(codes);
        using var scope = NewDisposeScope();
        var (batch, steps) = (codes.shape[0], codes.shape[2]);
        var frames = DecodeFrames(codes.permute(0, 2, 1).reshape(-1, Codebooks));
        return frames.reshape(batch, steps, Dimension).permute(0, 2, 1).contiguous().MoveToOuterDisposeScope();
    }

    public QuantizerOutput Quantize(Tensor z)
    {
        var codes = Encode(z);
        return new QuantizerOutput(Decode(codes), codes);
    }

    public void Save(string path)
    {
        RequireFitted();
        using var scope = NewDisposeScope();
        var (settings, tensors) = Describe();
        QuantizerFile.Save(path, new QuantizerState(Kind, Dimension, settings, tensors, Provenance));
    }

    /// <summary>Fits on float32 frames [N, D].</summary>
    protected abstract void FitFrames(Tensor frames, IProgress<FitProgress>? progress);

    /// <summary>Frames [N, D] float32 → codes [N, nq] int64.</summary>
    protected internal abstract Tensor EncodeFrames(Tensor frames);

    /// <summary>Codes [N, nq] int64 → frames [N, D] float32.</summary>
    protected internal abstract Tensor DecodeFrames(Tensor codes);

    /// <summary>The options (as JSON) and tensors that <see cref="QuantizerFile"/> needs to rebuild this quantizer.</summary>
    protected abstract (System.Text.Json.Nodes.JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe();

    protected void RequireFitted()
    {
        if (!IsFitted) throw new InvalidOperationException($"The {Kind} quantizer is not fitted: call Fit(latents) or load a fitted one first.");
    }

    /// <summary>Checks a latent dataset [N, D] with this quantizer's D and finite values.</summary>
    protected void RequireLatentSet(Tensor latents)
    {
        if (latents.dim() != 2 || latents.shape[1] != Dimension)
            throw new ArgumentException(
                $"Expected a latent dataset [N, {Dimension}], got [{string.Join(", ", latents.shape)}].", nameof(latents));
        if (latents.shape[0] == 0) throw new ArgumentException("The latent dataset is empty.", nameof(latents));
        if (!latents.isfinite().all().item<bool>())
            throw new ArgumentException("The latent dataset holds NaN or infinite values.", nameof(latents));
    }

    (long Batch, long Steps) RequireChannelFirst(Tensor z, string name)
    {
        if (z.dim() != 3 || z.shape[1] != Dimension)
            throw new ArgumentException($"Expected latents [B, {Dimension}, T], got [{string.Join(", ", z.shape)}].", name);
        return (z.shape[0], z.shape[2]);
    }

    void RequireCodes(Tensor codes)
    {
        if (codes.dim() != 3 || codes.shape[1] != Codebooks)
            throw new ArgumentException($"Expected codes [B, {Codebooks}, T], got [{string.Join(", ", codes.shape)}].", nameof(codes));
        if (codes.dtype != ScalarType.Int64)
            throw new ArgumentException($"Codes must be int64, got {codes.dtype}.", nameof(codes));
        if (codes.numel() == 0) return;
        using var scope = NewDisposeScope();
        var sizes = tensor(CodebookSizes.ToArray(), device: codes.device).view(1, -1, 1);
        if ((codes < 0).any().item<bool>() || (codes >= sizes).any().item<bool>())
            throw new ArgumentException($"Codes are out of range for the {Kind} quantizer's codebooks of {string.Join("/", CodebookSizes.Distinct())} entries.", nameof(codes));
    }
}
