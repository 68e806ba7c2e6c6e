// One stage of a trained-in-the-loop RVQ: VQ-VAE (van den Oord et al. 2017) with SoundStream's EMA and codebook expiry
// (Zeghidour et al. 2021) and DAC's factorized codes (Kumar et al. 2023) as options.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Quantization.InLoop;

/// <summary>What one training-mode stage saw: codes per entry [K] over the active frames, and the dead entries it found.</summary>
public sealed record StageUsage(Tensor Counts, long Dead);

/// <summary>
/// A codebook [K, c] with, when factorized, an input projection D → c and an output projection c → D (DAC uses
/// weight-normalised 1×1 convs; a linear map on frames is the same function). Frames are [N, D]; without
/// factorization c = D and the projections are the identity. Buffers keep the EMA statistics and, per entry, the
/// steps since it was last chosen.
/// </summary>
public sealed class InLoopCodebook : nn.Module
{
    readonly Linear? in_proj;
    readonly Parameter codebook;
    readonly Linear? out_proj;
    readonly Tensor cluster_size;
    readonly Tensor embed_sum;
    readonly Tensor unused_steps;
    readonly E2EQuantizerOptions options;

    public InLoopCodebook(int dimension, E2EQuantizerOptions options) : base(nameof(InLoopCodebook))
    {
        this.options = options;
        var codeDim = options.Factorized ? options.CodeDim : dimension;
        if (options.Factorized)
        {
            in_proj = nn.Linear(dimension, codeDim);
            out_proj = nn.Linear(codeDim, dimension);
        }
        // nn.Embedding's N(0, 1), as DAC's codebooks start; k-means usually replaces it before the first step.
        codebook = new Parameter(randn(options.CodebookSize, codeDim), requires_grad: !options.Ema);
        cluster_size = ones(options.CodebookSize);
        embed_sum = codebook.detach().clone();
        unused_steps = zeros(options.CodebookSize);
        RegisterComponents();
    }

    /// <summary>The codebook [K, c].</summary>
    public Tensor Codebook => codebook;

    /// <summary>Steps since each entry [K] was last chosen in training.</summary>
    public Tensor UnusedSteps => unused_steps;

    /// <summary>Residual frames [N, D] → the space the codebook lives in [N, c].</summary>
    public Tensor Project(Tensor residual) => in_proj is null ? residual.alias() : FactorizedCodes.Project(residual, in_proj.weight!, in_proj.bias!);

    /// <summary>Projected frames [N, c] → indices [N] int64 of the chosen entries (no gradient).</summary>
    public Tensor Lookup(Tensor projected)
    {
        using var noGrad = no_grad();
        return options.Factorized ? FactorizedCodes.Nearest(projected, codebook) : NearestCode.Search(projected, codebook).Indices;
    }

    /// <summary>Entries [N, c] → their contribution to the latent [N, D].</summary>
    public Tensor Output(Tensor entries) => out_proj is null ? entries.alias() : FactorizedCodes.Project(entries, out_proj.weight!, out_proj.bias!);

    /// <summary>Sets the codebook to <paramref name="centroids"/> [K, c] and restarts the EMA and usage statistics from it.</summary>
    public void SetCodebook(Tensor centroids)
    {
        using var noGrad = no_grad();
        codebook.copy_(centroids);
        embed_sum.copy_(centroids);
        cluster_size.fill_(1);
        unused_steps.zero_();
    }

    /// <summary>
    /// Training bookkeeping after a lookup: EMA codebook update, steps-since-use, and dead-entry replacement by random
    /// active projected frames. <paramref name="projected"/> [N, c] and <paramref name="indices"/> [N] cover only the
    /// frames this stage quantized.
    /// </summary>
    public StageUsage Update(Tensor projected, Tensor indices)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var size = options.CodebookSize;
        var vectors = projected.detach();
        var counts = bincount(indices, minlength: size).to_type(ScalarType.Float32);
        if (options.Ema && indices.shape[0] > 0)
        {
            var sums = zeros_like(embed_sum).index_add_(0, indices, vectors, 1.0);
            var decay = options.EmaDecay;
            cluster_size.mul_(decay).add_(counts * (1 - decay));
            embed_sum.mul_(decay).add_(sums * (1 - decay));
            // Laplace smoothing keeps rarely used entries from dividing by almost zero (as SoundStream and EnCodec do).
            var total = cluster_size.sum();
            var smoothed = (cluster_size + 1e-5) / (total + size * 1e-5) * total;
            codebook.copy_(embed_sum / smoothed.unsqueeze(1));
        }
        unused_steps.add_(1).masked_fill_(counts > 0, 0);
        var deadMask = unused_steps >= options.DeadCodeSteps;
        var dead = deadMask.sum().item<long>();
        if (options.ReplaceDeadCodes && dead > 0 && vectors.shape[0] > 0)
        {
            var deadIndices = nonzero(deadMask).squeeze(1);
            var replacements = vectors.index_select(0, randint(vectors.shape[0], [dead], device: vectors.device));
            codebook.index_copy_(0, deadIndices, replacements);
            embed_sum.index_copy_(0, deadIndices, replacements);
            cluster_size.index_fill_(0, deadIndices, 1);
            unused_steps.index_fill_(0, deadIndices, 0);
        }
        return new StageUsage(counts.MoveToOuterDisposeScope(), dead);
    }

    /// <summary>This stage's tensors for a <see cref="FactorizedRvq"/> (copies on the CPU).</summary>
    public FactorizedRvq.FactorizedStage ExportFactorized()
    {
        if (in_proj is null || out_proj is null) throw new InvalidOperationException("Only a factorized stage has projections to export.");
        static Tensor Copy(Tensor t) => t.detach().cpu().clone().DetachFromDisposeScope();
        return new FactorizedRvq.FactorizedStage(Copy(in_proj.weight!), Copy(in_proj.bias!), Copy(codebook), Copy(out_proj.weight!), Copy(out_proj.bias!));
    }
}
