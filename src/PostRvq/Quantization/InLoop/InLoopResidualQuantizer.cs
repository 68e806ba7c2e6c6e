// The in-loop residual vector quantizer of SoundStream (Zeghidour et al. 2021) and DAC (Kumar et al. 2023), trained with its codec.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Quantization.InLoop;

/// <summary>Codebook usage of one training step, averaged over stages.</summary>
/// <param name="UsedFraction">Entries chosen at least once within the last DeadCodeSteps steps, as a fraction of all.</param>
/// <param name="Perplexity">exp of the entropy of this batch's code histogram, averaged over stages.</param>
/// <param name="Dead">Entries (all stages together) unused for DeadCodeSteps steps before this step's replacement.</param>
public sealed record CodebookStatistics(double UsedFraction, double Perplexity, long Dead);

/// <summary>
/// The in-loop quantizer's output: Quantized z_q [B, D, T] (straight-through in training), Codes [B, nq, T] int64
/// of the full depth, the unweighted CommitmentLoss and CodebookLoss (scalars, summed over stages), and in training
/// the codebook statistics.
/// </summary>
public sealed record InLoopQuantizerOutput(Tensor Quantized, Tensor Codes, Tensor CommitmentLoss, Tensor CodebookLoss, CodebookStatistics? Statistics);

/// <summary>
/// A residual vector quantizer trained inside the codec: each stage quantizes what the previous ones left, the
/// encoder gets straight-through gradients, commitment and codebook losses (or EMA) train the codes, and quantizer
/// dropout trains every prefix of stages. It works on frames [N, D] exactly as its exported inference form
/// (<see cref="Export"/>) does, so both choose the same codes. It does not handle a code search over several stages.
/// </summary>
public sealed class InLoopResidualQuantizer : nn.Module
{
    readonly ModuleList<InLoopCodebook> quantizers;
    readonly Tensor initialized;

    public InLoopResidualQuantizer(int dimension, E2EQuantizerOptions options) : base(nameof(InLoopResidualQuantizer))
    {
        options.Validate();
        Dimension = dimension;
        Options = options;
        quantizers = nn.ModuleList(Enumerable.Range(0, options.Codebooks).Select(_ => new InLoopCodebook(dimension, options)).ToArray());
        initialized = zeros(1);
        RegisterComponents();
    }

    public int Dimension { get; }
    public E2EQuantizerOptions Options { get; }
    public IReadOnlyList<InLoopCodebook> Stages => quantizers.ToList();

    /// <summary>Whether <see cref="InitializeFromLatents"/> has run (saved with the weights, so a resumed run skips it).</summary>
    public bool IsInitialized => initialized.item<float>() > 0;

    /// <summary>Seeds every stage's codebook by k-means on what the previous stages leave of latent frames [N, D], N ≥ K.</summary>
    public void InitializeFromLatents(Tensor frames)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var residual = frames.detach().clone();
        for (var s = 0; s < quantizers.Count; s++)
        {
            using var stageScope = NewDisposeScope();
            var stage = quantizers[s];
            var projected = stage.Project(residual);
            var fit = KMeans.Fit(projected, new KMeansOptions { Clusters = Options.CodebookSize, Iterations = Options.KMeansIterations, Seed = s });
            stage.SetCodebook(fit.Centroids);
            residual.sub_(stage.Output(stage.Codebook.index_select(0, stage.Lookup(projected))));
        }
        initialized.fill_(1);
    }

    /// <summary>
    /// Quantizer dropout (SoundStream; DAC's rate 0.5): stages per batch item [B] int64, each item drawing uniformly
    /// from 1..Codebooks with probability <see cref="E2EQuantizerOptions.QuantizerDropout"/> and using all stages otherwise.
    /// Uses torch's global RNG, which checkpoints save.
    /// </summary>
    public Tensor SampleStageCounts(long batch, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var all = full(batch, Options.Codebooks, dtype: ScalarType.Int64, device: device);
        if (Options.QuantizerDropout == 0) return all.MoveToOuterDisposeScope();
        var drawn = randint(1, Options.Codebooks + 1, [batch], dtype: ScalarType.Int64, device: device);
        var dropped = rand(batch, device: device) < Options.QuantizerDropout;
        return where(dropped, drawn, all).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// z [B, D, T] → z_q [B, D, T] and codes [B, Codebooks, T]. Item b sums only its first stageCounts[b] stages
    /// (all when null). In training mode, stages also update EMA codebooks, usage and dead entries.
    /// </summary>
    public InLoopQuantizerOutput Forward(Tensor z, Tensor? stageCounts = null)
    {
        if (z.dim() != 3 || z.shape[1] != Dimension)
            throw new ArgumentException($"Expected latents [B, {Dimension}, T], got [{string.Join(", ", z.shape)}].", nameof(z));
        using var scope = NewDisposeScope();
        var (batch, steps) = (z.shape[0], z.shape[2]);
        var frames = z.permute(0, 2, 1).reshape(-1, Dimension);
        var itemStages = stageCounts ?? full(batch, Options.Codebooks, dtype: ScalarType.Int64, device: z.device);
        var frameStages = itemStages.repeat_interleave(steps);
        var residual = frames;
        var quantized = zeros_like(frames);
        var commitment = zeros(1, device: z.device).squeeze();
        var codebookLoss = zeros(1, device: z.device).squeeze();
        var codes = new Tensor[quantizers.Count];
        var perplexities = new List<double>();
        var used = 0.0;
        var dead = 0L;
        for (var s = 0; s < quantizers.Count; s++)
        {
            var stage = quantizers[s];
            var projected = stage.Project(residual);
            var indices = stage.Lookup(projected);
            codes[s] = indices;
            var entries = stage.Codebook.index_select(0, indices);
            Tensor output;
            if (training)
            {
                var itemActive = (itemStages > s).to_type(frames.dtype);
                // DAC's losses: per item the mean over frames and channels, masked by dropout, then the batch mean.
                commitment = commitment + ((projected - entries.detach()).square().mean([1]).view(batch, steps).mean([1]) * itemActive).mean();
                if (!Options.Ema)
                    codebookLoss = codebookLoss + ((entries - projected.detach()).square().mean([1]).view(batch, steps).mean([1]) * itemActive).mean();
                output = stage.Output(projected + (entries - projected).detach());
                var activeFrames = nonzero(frameStages > s).squeeze(1);
                var usage = stage.Update(projected.index_select(0, activeFrames), indices.index_select(0, activeFrames));
                perplexities.Add(Perplexity(usage.Counts));
                dead += usage.Dead;
                used += (stage.UnusedSteps < Options.DeadCodeSteps).to_type(ScalarType.Float32).mean().item<float>();
            }
            else
            {
                output = stage.Output(entries);
            }
            // Inactive items must not receive this stage, but multiplying by exactly 1 keeps eval outputs bitwise equal to the export's.
            quantized = stageCounts is null ? quantized + output : quantized + output * (frameStages > s).to_type(frames.dtype).unsqueeze(1);
            residual = residual - output;
        }
        var statistics = training
            ? new CodebookStatistics(used / quantizers.Count, perplexities.Average(), dead)
            : null;
        var zq = quantized.view(batch, steps, Dimension).permute(0, 2, 1).contiguous();
        var codeTensor = stack(codes, 1).view(batch, steps, quantizers.Count).permute(0, 2, 1).contiguous();
        return new InLoopQuantizerOutput(zq.MoveToOuterDisposeScope(), codeTensor.MoveToOuterDisposeScope(),
            commitment.MoveToOuterDisposeScope(), codebookLoss.MoveToOuterDisposeScope(), statistics);
    }

    /// <summary>
    /// The learnt quantizer as a plain inference <see cref="IQuantizer"/>: a <see cref="ResidualVectorQuantizer"/> of
    /// the codebooks, or a <see cref="FactorizedRvq"/> when factorized. Its Quantize equals this layer's eval output.
    /// </summary>
    public IQuantizer Export() => Options.Factorized
        ? new FactorizedRvq(Dimension, quantizers.Select(s => s.ExportFactorized()).ToList())
        : ResidualVectorQuantizer.FromCodebooks(Dimension, quantizers.Select(s => s.Codebook).ToList());

    static double Perplexity(Tensor counts)
    {
        using var scope = NewDisposeScope();
        var total = counts.sum().item<float>();
        if (total == 0) return 1;
        var p = counts / total;
        var entropy = -(p * p.clamp_min(1e-12).log()).sum().item<float>();
        return Math.Exp(entropy);
    }
}
