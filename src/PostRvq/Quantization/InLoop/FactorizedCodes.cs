// DAC's factorized codes (Kumar et al. 2023, after ViT-VQGAN, Yu et al. 2022): low-dimensional, L2-normalised lookup.
using static TorchSharp.torch;

namespace PostRvq.Quantization.InLoop;

/// <summary>
/// The arithmetic of one factorized stage, shared by the in-loop layer and the exported inference quantizer so both
/// pick the same codes: project frames [N, D] to [N, c], take the entry of highest cosine similarity (the nearest on
/// the unit sphere), and project the raw entry back to [N, D].
/// </summary>
public static class FactorizedCodes
{
    /// <summary>Frames [N, D] → projected [N, c] with weight [c, D] and bias [c].</summary>
    public static Tensor Project(Tensor frames, Tensor weight, Tensor bias) => nn.functional.linear(frames, weight, bias);

    /// <summary>Projected frames [N, c] against a codebook [K, c] → indices [N] int64 of the most similar direction.</summary>
    public static Tensor Nearest(Tensor projected, Tensor codebook)
    {
        using var scope = NewDisposeScope();
        var similarity = nn.functional.normalize(projected, dim: 1).matmul(nn.functional.normalize(codebook, dim: 1).t());
        return similarity.argmax(1).MoveToOuterDisposeScope();
    }
}
