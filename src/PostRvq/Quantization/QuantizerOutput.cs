using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>What a quantizer makes of latents z [B, D, T]: Quantized z_q [B, D, T] and Codes [B, nq, T] (int64).</summary>
public sealed record QuantizerOutput(Tensor Quantized, Tensor Codes);
