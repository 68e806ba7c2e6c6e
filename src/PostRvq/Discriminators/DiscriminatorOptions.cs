namespace PostRvq.Discriminators;

/// <summary>
/// Sizes of the multi-period (HiFi-GAN, Kong et al. 2020) and multi-band STFT (DAC, Kumar et al. 2023) discriminators.
/// Defaults are DAC's; shrink <see cref="PeriodChannels"/> and <see cref="Channels"/> for CPU presets.
/// </summary>
public sealed record DiscriminatorOptions
{
    /// <summary>One period sub-discriminator per entry (HiFi-GAN/DAC: primes 2, 3, 5, 7, 11).</summary>
    public int[] Periods { get; init; } = [2, 3, 5, 7, 11];

    /// <summary>Widths of the strided period convs (HiFi-GAN: 32, 128, 512, 1024); a stride-1 conv keeps the last width.</summary>
    public int[] PeriodChannels { get; init; } = [32, 128, 512, 1024];

    /// <summary>One STFT sub-discriminator per window length (DAC: 2048, 1024, 512).</summary>
    public int[] StftWindows { get; init; } = [2048, 1024, 512];

    /// <summary>STFT hop as a fraction of the window (DAC: 0.25).</summary>
    public double StftHopFactor { get; init; } = 0.25;

    /// <summary>Band edges as fractions of the frequency bins, from 0 to 1 (DAC: 5 bands).</summary>
    public double[] BandEdges { get; init; } = [0.0, 0.1, 0.25, 0.5, 0.75, 1.0];

    /// <summary>Width of every conv in the STFT sub-discriminators (DAC: 32).</summary>
    public int Channels { get; init; } = 32;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (Periods is null || Periods.Length == 0 || Periods.Any(p => p < 1))
            throw new ArgumentException($"{nameof(Periods)} must be a non-empty list of positive integers.", nameof(Periods));
        if (PeriodChannels is null || PeriodChannels.Length == 0 || PeriodChannels.Any(c => c < 1))
            throw new ArgumentException($"{nameof(PeriodChannels)} must be a non-empty list of positive integers.", nameof(PeriodChannels));
        if (StftWindows is null || StftWindows.Length == 0 || StftWindows.Any(w => w < 2))
            throw new ArgumentException($"{nameof(StftWindows)} must be a non-empty list of integers ≥ 2.", nameof(StftWindows));
        if (!(StftHopFactor > 0 && StftHopFactor <= 1))
            throw new ArgumentException($"{nameof(StftHopFactor)} must be in (0, 1]; got {StftHopFactor}.", nameof(StftHopFactor));
        // !(a < b) rather than b <= a, so that a NaN edge is refused too.
        if (BandEdges is null || BandEdges.Length < 2 || BandEdges[0] != 0 || BandEdges[^1] != 1
            || BandEdges.Zip(BandEdges.Skip(1)).Any(pair => !(pair.First < pair.Second)))
            throw new ArgumentException($"{nameof(BandEdges)} must rise strictly from 0 to 1.", nameof(BandEdges));
        if (Channels < 1)
            throw new ArgumentException($"{nameof(Channels)} must be positive; got {Channels}.", nameof(Channels));
    }
}
