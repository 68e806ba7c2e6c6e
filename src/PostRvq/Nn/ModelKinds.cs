namespace PostRvq.Nn;

/// <summary>The values of <see cref="AutoencoderOptions.Kind"/>.</summary>
public static class ModelKinds
{
    /// <summary>DAC's convolutional autoencoder on raw samples (<see cref="Encoder"/>, <see cref="Decoder"/>).</summary>
    public const string Waveform = "waveform";

    /// <summary>The frame-rate autoencoder on MDCT coefficients (<see cref="MdctEncoder"/>, <see cref="MdctDecoder"/>).</summary>
    public const string Mdct = "mdct";

    public static IReadOnlyList<string> All { get; } = [Waveform, Mdct];
}
