using static TorchSharp.torch;

namespace PostRvq.Codecs;

/// <summary>
/// A clip as codes: what a <see cref="CodesFile"/> holds. <see cref="Codes"/> is frame-major (code q of frame t at
/// t · <see cref="Codebooks"/> + q) and stream q's codes fit in <see cref="Bits"/>[q] bits. The ids name the model
/// and quantizer that can decode it (<see cref="Codec.ModelId"/>, <see cref="Codec.QuantizerId"/>).
/// </summary>
public sealed record EncodedAudio
{
    /// <summary>The original clip's sample rate, which decoding restores; the codec may run at another.</summary>
    public required int SampleRate { get; init; }

    /// <summary>Samples of the original clip, which decoding restores.</summary>
    public required long SampleLength { get; init; }

    /// <summary>Latent frames per second of the codec.</summary>
    public required double FrameRate { get; init; }

    /// <summary>Bits per code of each stream: ⌈log2(codebook size)⌉.</summary>
    public required IReadOnlyList<int> Bits { get; init; }

    public required string ModelId { get; init; }
    public required string QuantizerId { get; init; }
    public required long[] Codes { get; init; }

    /// <summary>Code streams nq per frame.</summary>
    public int Codebooks => Bits.Count;

    /// <summary>Latent frames T.</summary>
    public long Frames => Codebooks == 0 ? 0 : Codes.Length / Codebooks;

    public double DurationSeconds => (double)SampleLength / SampleRate;

    /// <summary>The bitrate of the packed codes, Σ Bits × frame rate / 1000; it equals the quantizer's when every codebook size is a power of two.</summary>
    public double Kbps => Bits.Sum() * FrameRate / 1000.0;

    /// <summary>The codes as int64 [1, nq, T].</summary>
    public Tensor ToTensor()
    {
        using var scope = NewDisposeScope();
        return tensor(Codes, [Frames, Codebooks]).t().unsqueeze(0).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Frame-major codes from int64 codes [1, nq, T].</summary>
    public static long[] FrameMajor(Tensor codes)
    {
        if (codes.dim() != 3 || codes.shape[0] != 1)
            throw new ArgumentException($"Expected codes [1, nq, T], got [{string.Join(", ", codes.shape)}].", nameof(codes));
        using var scope = NewDisposeScope();
        return codes.squeeze(0).t().contiguous().to_type(ScalarType.Int64).cpu().data<long>().ToArray();
    }
}
