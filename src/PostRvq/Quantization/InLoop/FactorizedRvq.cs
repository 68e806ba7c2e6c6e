// Inference form of DAC's factorized residual vector quantizer (Kumar et al. 2023), as learnt end to end.
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization.InLoop;

/// <summary>
/// The fixed quantizer an end-to-end factorized RVQ exports: per stage an input projection [c, D] + [c], a codebook
/// [K, c] searched by cosine, and an output projection [D, c] + [D] whose result is subtracted from the residual.
/// It cannot be fitted after training (its codes come from <see cref="InLoopResidualQuantizer"/>), so it is no method of
/// the <see cref="QuantizerZoo"/>; the zoo registers its file loader (kind <c>e2e-rvq</c>) beside the others.
/// </summary>
public sealed class FactorizedRvq : FrameQuantizer, ITruncatableQuantizer
{
    readonly IReadOnlyList<FactorizedStage> stages;

    /// <summary>One stage's tensors: InWeight [c, D], InBias [c], Codebook [K, c], OutWeight [D, c], OutBias [D].</summary>
    public sealed record FactorizedStage(Tensor InWeight, Tensor InBias, Tensor Codebook, Tensor OutWeight, Tensor OutBias);

    public FactorizedRvq(int dimension, IReadOnlyList<FactorizedStage> stages) : base(dimension)
    {
        if (stages.Count == 0) throw new ArgumentException("At least one stage is needed.", nameof(stages));
        var size = stages[0].Codebook.shape[0];
        var codeDim = stages[0].Codebook.shape[1];
        foreach (var s in stages)
            if (!s.InWeight.shape.SequenceEqual([codeDim, dimension]) || !s.InBias.shape.SequenceEqual([codeDim])
                || !s.Codebook.shape.SequenceEqual([size, codeDim]) || !s.OutWeight.shape.SequenceEqual([dimension, codeDim])
                || !s.OutBias.shape.SequenceEqual([dimension]))
                throw new ArgumentException($"Every stage needs in [{codeDim}, {dimension}] + [{codeDim}], codebook [{size}, {codeDim}] and out [{dimension}, {codeDim}] + [{dimension}].", nameof(stages));
        this.stages = stages;
    }

    public override string Kind => QuantizerKinds.E2eRvq;
    public override int Codebooks => stages.Count;
    public override IReadOnlyList<long> CodebookSizes => stages.Select(s => s.Codebook.shape[0]).ToArray();
    public override bool IsFitted => true;
    public IReadOnlyList<FactorizedStage> Stages => stages;

    public IQuantizer Truncate(int codebooks)
    {
        if (codebooks < 1 || codebooks > Codebooks)
            throw new ArgumentOutOfRangeException(nameof(codebooks), codebooks, $"This RVQ has 1 to {Codebooks} stages.");
        return new FactorizedRvq(Dimension, stages.Take(codebooks).ToList()) { Provenance = Provenance };
    }

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress) =>
        throw new InvalidOperationException("An end-to-end RVQ is learnt with its codec (E2ETrainer); it cannot be fitted on fixed latents.");

    protected internal override Tensor EncodeFrames(Tensor frames)
    {
        var residual = frames.clone();
        var codes = new Tensor[Codebooks];
        for (var s = 0; s < Codebooks; s++)
        {
            using var scope = NewDisposeScope();
            var stage = stages[s];
            codes[s] = FactorizedCodes.Nearest(FactorizedCodes.Project(residual, stage.InWeight, stage.InBias), stage.Codebook).MoveToOuterDisposeScope();
            residual.sub_(Output(stage, codes[s]));
        }
        return stack(codes, 1);
    }

    protected internal override Tensor DecodeFrames(Tensor codes)
    {
        var frames = zeros(codes.shape[0], Dimension, device: codes.device);
        for (var s = 0; s < Codebooks; s++)
        {
            using var scope = NewDisposeScope();
            frames.add_(Output(stages[s], codes.select(1, s)));
        }
        return frames;
    }

    /// <summary>Codes [N] of one stage → its contribution [N, D].</summary>
    static Tensor Output(FactorizedStage stage, Tensor codes) =>
        FactorizedCodes.Project(stage.Codebook.index_select(0, codes), stage.OutWeight, stage.OutBias);

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe()
    {
        var tensors = new Dictionary<string, Tensor>();
        for (var s = 0; s < Codebooks; s++)
        {
            tensors[$"in_proj.{s}.weight"] = stages[s].InWeight;
            tensors[$"in_proj.{s}.bias"] = stages[s].InBias;
            tensors[$"codebook.{s}"] = stages[s].Codebook;
            tensors[$"out_proj.{s}.weight"] = stages[s].OutWeight;
            tensors[$"out_proj.{s}.bias"] = stages[s].OutBias;
        }
        return (new JsonObject { ["codebooks"] = Codebooks, ["codebookSize"] = CodebookSizes[0], ["codeDim"] = stages[0].Codebook.shape[1] }, tensors);
    }

    /// <summary>Rebuilds the quantizer from a <see cref="QuantizerFile"/> state.</summary>
    public static FactorizedRvq FromState(QuantizerState state)
    {
        var count = state.Setting<int>("codebooks");
        var stages = Enumerable.Range(0, count).Select(s => new FactorizedStage(
            state.Tensor($"in_proj.{s}.weight"), state.Tensor($"in_proj.{s}.bias"), state.Tensor($"codebook.{s}"),
            state.Tensor($"out_proj.{s}.weight"), state.Tensor($"out_proj.{s}.bias"))).ToList();
        return new FactorizedRvq(state.Dimension, stages) { Provenance = new(state.Provenance) };
    }
}
