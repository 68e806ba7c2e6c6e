using static TorchSharp.torch;

namespace PostRvq.Cli.Bench;

/// <summary>
/// Greedy residual encoding with <see cref="NaiveNearestCode"/> at every stage, the reference
/// <see cref="Quantization.ResidualVectorQuantizer"/>'s encoder is checked and timed against.
/// </summary>
static class NaiveRvqEncode
{
    /// <summary>Codes [N, nq] of <paramref name="data"/> [N, D], one stage per codebook [K, D] of <paramref name="stageCodebooks"/>.</summary>
    public static Tensor Encode(Tensor data, IReadOnlyList<Tensor> stageCodebooks)
    {
        using var scope = NewDisposeScope();
        var residual = data.clone();
        var codes = new List<Tensor>();
        foreach (var codebook in stageCodebooks)
        {
            var stage = NaiveNearestCode.Search(residual, codebook);
            residual.sub_(codebook.index_select(0, stage));
            codes.Add(stage);
        }
        return stack(codes, 1).MoveToOuterDisposeScope();
    }
}
