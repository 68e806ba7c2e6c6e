using static TorchSharp.torch;

namespace PostRvq.Discriminators;

/// <summary>
/// What one sub-discriminator says about a batch: the final score map (e.g. [B, 1, H, W]) and the activations of every
/// layer before it, which feature matching compares.
/// </summary>
public sealed record DiscriminatorOutput(Tensor Score, IReadOnlyList<Tensor> Features);
