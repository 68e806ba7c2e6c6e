namespace PostRvq.Nn;

/// <summary>
/// Sizes of the continuous autoencoder, without a quantizer. <see cref="Kind"/> picks the family:
/// <list type="bullet">
/// <item><c>waveform</c>: DAC's convolutional model on raw samples (Kumar et al. 2023, "High-Fidelity Audio Compression
/// with Improved RVQGAN"). The defaults are a small 24 kHz model with hop 320 (75 Hz); DAC's 44.1 kHz model uses
/// EncoderDim 64, EncoderStrides [2,4,8,8] and DecoderDim 1536.</item>
/// <item><c>mdct</c>: a frame-rate model on MDCT coefficients (<see cref="MdctEncoder"/>, <see cref="MdctDecoder"/>): hop <see cref="MdctHop"/>,
/// a linear path that can start as the PCA of corpus frames, and ConvNeXt blocks of width <see cref="FrameChannels"/>.</item>
/// </list>
/// Options of the other family are ignored.
/// </summary>
public sealed record AutoencoderOptions
{
    int[]? decoderStrides;

    /// <summary>The model family: <c>waveform</c> (default, DAC-style) or <c>mdct</c>.</summary>
    public string Kind { get; init; } = ModelKinds.Waveform;

    public int SampleRate { get; init; } = 24000;

    /// <summary>Width of the first encoder conv; it doubles at every downsampling block (DAC: 64).</summary>
    public int EncoderDim { get; init; } = 32;

    /// <summary>Downsampling factors in encoder order; [2,4,5,8] gives EnCodec's hop 320 at 24 kHz.</summary>
    public int[] EncoderStrides { get; init; } = [2, 4, 5, 8];

    /// <summary>Channels D of the continuous bottleneck z [B, D, F].</summary>
    public int LatentDim { get; init; } = 64;

    /// <summary>Width after the first decoder conv; it halves at every upsampling block (DAC: 1536).</summary>
    public int DecoderDim { get; init; } = 256;

    /// <summary>Upsampling factors in decoder order; the reverse of <see cref="EncoderStrides"/> unless set.</summary>
    public int[] DecoderStrides
    {
        get => decoderStrides ?? EncoderStrides.Reverse().ToArray();
        init => decoderStrides = value;
    }

    /// <summary>Dilations of the residual units inside every block (DAC: 1, 3, 9).</summary>
    public int[] Dilations { get; init; } = [1, 3, 9];

    /// <summary>Kernel of the dilated residual conv (DAC: 7); must be odd so lengths stay exact.</summary>
    public int ResidualKernel { get; init; } = 7;

    /// <summary>
    /// Std of the normal init of every conv weight (DAC: 0.02). DAC's value suits its wide layers; with 8-channel
    /// layers the signal vanishes through the stack, and a wider init (0.06) learns much faster.
    /// </summary>
    public double ConvInitStd { get; init; } = 0.02;

    /// <summary><c>mdct</c>: the MDCT hop N (window 2N), which is also the latent hop (320 at 24 kHz gives 75 Hz).</summary>
    public int MdctHop { get; init; } = 320;

    /// <summary><c>mdct</c>: width C of the frame-rate ConvNeXt blocks.</summary>
    public int FrameChannels { get; init; } = 256;

    /// <summary><c>mdct</c>: width of each block's per-frame MLP (Vocos: 3C).</summary>
    public int FrameHidden { get; init; } = 768;

    /// <summary><c>mdct</c>: frames the depthwise conv of each block sees (Vocos: 7).</summary>
    public int FrameKernel { get; init; } = 7;

    /// <summary><c>mdct</c>: ConvNeXt blocks in the encoder's nonlinear branch.</summary>
    public int EncoderBlocks { get; init; } = 2;

    /// <summary><c>mdct</c>: ConvNeXt blocks in the decoder's nonlinear branch.</summary>
    public int DecoderBlocks { get; init; } = 6;

    /// <summary>
    /// <c>mdct</c>: start the linear paths at the PCA of the training set's MDCT frames, so step 0 is already the
    /// linear codec; off starts them at random. The per-bin input scales are fitted either way.
    /// </summary>
    public bool LinearInit { get; init; } = true;

    /// <summary>Samples per latent frame: the MDCT hop, or the product of the encoder strides.</summary>
    public int HopLength => Kind == ModelKinds.Mdct ? MdctHop : EncoderStrides.Aggregate(1, (product, stride) => product * stride);

    /// <summary>Latent frames per second.</summary>
    public double FrameRate => (double)SampleRate / HopLength;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (!ModelKinds.All.Contains(Kind))
            throw new ArgumentException($"kind '{Kind}' is unknown; the known kinds are {string.Join(", ", ModelKinds.All)}.", nameof(Kind));
        RequirePositive(SampleRate, nameof(SampleRate));
        RequirePositive(LatentDim, nameof(LatentDim));
        if (Kind == ModelKinds.Mdct) ValidateMdct();
        else ValidateWaveform();
    }

    void ValidateMdct()
    {
        RequirePositive(MdctHop, nameof(MdctHop));
        RequirePositive(FrameChannels, nameof(FrameChannels));
        RequirePositive(FrameHidden, nameof(FrameHidden));
        if (EncoderBlocks < 0) throw new ArgumentException($"{nameof(EncoderBlocks)} must not be negative; got {EncoderBlocks}.", nameof(EncoderBlocks));
        if (DecoderBlocks < 0) throw new ArgumentException($"{nameof(DecoderBlocks)} must not be negative; got {DecoderBlocks}.", nameof(DecoderBlocks));
        if (FrameKernel < 1 || FrameKernel % 2 == 0)
            throw new ArgumentException($"{nameof(FrameKernel)} must be a positive odd number so frame counts stay exact; got {FrameKernel}.", nameof(FrameKernel));
        if (LatentDim > MdctHop)
            throw new ArgumentException($"{nameof(LatentDim)} {LatentDim} cannot exceed the {MdctHop} MDCT coefficients of a frame.", nameof(LatentDim));
    }

    void ValidateWaveform()
    {
        RequirePositive(EncoderDim, nameof(EncoderDim));
        RequirePositive(DecoderDim, nameof(DecoderDim));
        if (!(ConvInitStd > 0) || !double.IsFinite(ConvInitStd))
            throw new ArgumentException($"{nameof(ConvInitStd)} must be positive; got {ConvInitStd}.", nameof(ConvInitStd));
        RequireStrides(EncoderStrides, nameof(EncoderStrides));
        RequireStrides(DecoderStrides, nameof(DecoderStrides));
        if (Dilations is null || Dilations.Length == 0 || Dilations.Any(d => d < 1))
            throw new ArgumentException($"{nameof(Dilations)} must be a non-empty list of positive integers.", nameof(Dilations));
        if (ResidualKernel < 1 || ResidualKernel % 2 == 0)
            throw new ArgumentException($"{nameof(ResidualKernel)} must be a positive odd number so residual lengths match; got {ResidualKernel}.", nameof(ResidualKernel));
        var decoderHop = DecoderStrides.Aggregate(1L, (product, stride) => product * stride);
        if (decoderHop != HopLength)
            throw new ArgumentException(
                $"{nameof(DecoderStrides)} [{string.Join(",", DecoderStrides)}] multiply to {decoderHop}, but {nameof(EncoderStrides)} [{string.Join(",", EncoderStrides)}] multiply to the hop {HopLength}; they must match.",
                nameof(DecoderStrides));
        if (DecoderDim % (1 << DecoderStrides.Length) != 0)
            throw new ArgumentException(
                $"{nameof(DecoderDim)} {DecoderDim} must be divisible by 2^{DecoderStrides.Length} because it halves at every upsampling block.",
                nameof(DecoderDim));
    }

    static void RequirePositive(int value, string name)
    {
        if (value < 1) throw new ArgumentException($"{name} must be positive; got {value}.", name);
    }

    // A stride-1 block has no padding that keeps kernel 2·s exact, so every stride must downsample.
    static void RequireStrides(int[]? strides, string name)
    {
        if (strides is null || strides.Length == 0 || strides.Any(s => s < 2))
            throw new ArgumentException($"{name} must be a non-empty list of integers ≥ 2.", name);
    }
}
