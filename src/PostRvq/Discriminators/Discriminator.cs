// DAC's discriminator (Kumar et al. 2023): HiFi-GAN's multi-period discriminator beside a multi-band STFT discriminator.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Discriminators;

/// <summary>
/// Audio [B, 1, T] → the period sub-discriminators' outputs followed by the STFT ones (Periods.Length + StftWindows.Length
/// in all). T must exceed half the largest STFT window.
/// </summary>
public sealed class Discriminator : nn.Module<Tensor, IReadOnlyList<DiscriminatorOutput>>
{
    readonly MultiPeriodDiscriminator multi_period;
    readonly MultiBandStftDiscriminator multi_band_stft;

    Discriminator(DiscriminatorOptions options, int sampleRate) : base(nameof(Discriminator))
    {
        Options = options;
        SampleRate = sampleRate;
        multi_period = new MultiPeriodDiscriminator(options.Periods, options.PeriodChannels);
        multi_band_stft = new MultiBandStftDiscriminator(options.StftWindows, options.StftHopFactor, options.BandEdges, options.Channels);
        RegisterComponents();
    }

    public DiscriminatorOptions Options { get; }

    /// <summary>The sample rate of the audio this discriminator judges; STFT windows are in samples at this rate.</summary>
    public int SampleRate { get; }

    /// <summary>Number of trainable scalars.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Validates the options and builds a freshly initialised discriminator on the CPU.</summary>
    public static Discriminator Create(DiscriminatorOptions options, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (sampleRate < 1) throw new ArgumentException($"{nameof(sampleRate)} must be positive; got {sampleRate}.", nameof(sampleRate));
        return new Discriminator(options, sampleRate);
    }

    public override IReadOnlyList<DiscriminatorOutput> forward(Tensor audio) =>
        multi_period.call(audio).Concat(multi_band_stft.call(audio)).ToList();

    /// <summary>
    /// Judges <paramref name="real"/> and <paramref name="fake"/> [B, 1, T] in one pass over both stacked along the batch
    /// [2B, 1, T], split back into B and B. Every layer acts on each example alone, so the outputs are those of two calls,
    /// for half the kernel launches; small layers on two threads pay more for launches than for arithmetic.
    /// </summary>
    public (IReadOnlyList<DiscriminatorOutput> Real, IReadOnlyList<DiscriminatorOutput> Fake) JudgeTogether(Tensor real, Tensor fake)
    {
        if (!real.shape.SequenceEqual(fake.shape))
            throw new ArgumentException($"Real audio is [{string.Join(", ", real.shape)}] but fake is [{string.Join(", ", fake.shape)}].", nameof(fake));
        var batch = real.shape[0];
        var both = forward(cat([real, fake], 0));
        return (both.Select(o => Rows(o, 0, batch)).ToList(), both.Select(o => Rows(o, batch, batch)).ToList());
    }

    static DiscriminatorOutput Rows(DiscriminatorOutput output, long start, long count) =>
        new(output.Score.narrow(0, start, count), output.Features.Select(f => f.narrow(0, start, count)).ToList());
}
