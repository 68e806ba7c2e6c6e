namespace PostRvq.Quantization;

/// <summary>
/// The built-in values of <see cref="IQuantizer.Kind"/>. A quantizer's kind names it everywhere: as a method of
/// <see cref="QuantizerZoo"/>, in the <c>method</c> column of results, and as the <c>kind</c> its files load by.
/// </summary>
public static class QuantizerKinds
{
    /// <summary>Greedy residual k-means (<see cref="ResidualVectorQuantizer"/>).</summary>
    public const string Rvq = "rvq";

    /// <summary>Residual k-means encoded with a beam wider than 1 (<see cref="ResidualVectorQuantizer"/>).</summary>
    public const string RvqBeam = "rvq-beam";

    /// <summary>RVQ on globally standardized latents, the paper's proposal (<see cref="StandardizedRvq"/>).</summary>
    public const string Srvq = "srvq";

    /// <summary>RVQ whose every stage standardizes its own residual (<see cref="StageStandardizedRvq"/>).</summary>
    public const string SrvqStage = "srvq-stage";

    /// <summary>The frame's norm on a log scale, then its direction by standardized RVQ (<see cref="GainShapeSrvq"/>).</summary>
    public const string GainShapeSrvq = "gs-srvq";

    /// <summary>One k-means codebook (<see cref="VectorQuantizer"/>).</summary>
    public const string Vq = "vq";

    /// <summary>Product quantization (<see cref="ProductQuantizer"/>).</summary>
    public const string Pq = "pq";

    /// <summary>Uniform per-dimension levels (<see cref="UniformScalarQuantizer"/>).</summary>
    public const string Scalar = "scalar";

    /// <summary>Lloyd–Max per-dimension levels (<see cref="LloydMaxQuantizer"/>).</summary>
    public const string LloydMax = "lloydmax";

    /// <summary>Post-training FSQ on whitened latents (<see cref="FiniteScalarQuantizer"/>).</summary>
    public const string Fsq = "fsq";

    /// <summary>Residual FSQ (<see cref="ResidualFsq"/>).</summary>
    public const string Rfsq = "rfsq";

    /// <summary>The exported in-loop RVQ of the end-to-end baseline with factorized codes (<see cref="InLoop.FactorizedRvq"/>).</summary>
    public const string E2eRvq = "e2e-rvq";
}
