using static TorchSharp.torch;

namespace PostRvq.Data;

/// <summary>A training batch of audio crops.</summary>
/// <param name="Audio">[B, 1, T] float32 samples, zero where a clip was shorter than the crop.</param>
/// <param name="Mask">[B, 1, T] float32: 1 where <paramref name="Audio"/> is real audio, 0 where it is padding.</param>
public sealed record CropBatch(Tensor Audio, Tensor Mask) : IDisposable
{
    public void Dispose()
    {
        Audio.Dispose();
        Mask.Dispose();
    }
}
