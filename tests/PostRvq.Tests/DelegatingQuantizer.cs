using PostRvq.Quantization;
using static TorchSharp.torch;

namespace PostRvq.Tests;

/// <summary>A quantizer that hands every call to another; a test overrides only what its own quantizer does differently.</summary>
abstract class DelegatingQuantizer(IQuantizer inner) : IQuantizer
{
    protected IQuantizer Inner => inner;
    public abstract string Kind { get; }
    public int Dimension => inner.Dimension;
    public int Codebooks => inner.Codebooks;
    public IReadOnlyList<long> CodebookSizes => inner.CodebookSizes;
    public double BitsPerFrame => inner.BitsPerFrame;
    public bool IsFitted => inner.IsFitted;
    public virtual void Fit(Tensor latents, IProgress<FitProgress>? progress = null) => inner.Fit(latents, progress);
    public virtual Tensor Encode(Tensor z) => inner.Encode(z);
    public Tensor Decode(Tensor codes) => inner.Decode(codes);
    public QuantizerOutput Quantize(Tensor z) => inner.Quantize(z);
    public virtual void Save(string path) => inner.Save(path);
}
