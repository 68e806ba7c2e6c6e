// One window of DAC's multi-band multi-scale STFT discriminator (Kumar et al. 2023).
using PostRvq.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Discriminators;

/// <summary>
/// Takes the complex STFT of audio [B, 1, T] as [B, 2 (real, imag), frames, bins], runs a separate conv stack on each
/// frequency band, concatenates the bands along frequency and maps them to a score [B, 1, frames, bins']. The
/// centred STFT reflect-pads by window/2, so T must exceed window/2.
/// </summary>
public sealed class StftBandDiscriminator : nn.Module<Tensor, DiscriminatorOutput>
{
    const double LeakySlope = 0.1;

    readonly ModuleList<ModuleList<WeightNormConv2d>> band_convs;
    readonly WeightNormConv2d conv_post;
    readonly int window;
    readonly int hop;
    readonly (int Start, int Length)[] bands;

    public StftBandDiscriminator(int window, double hopFactor, IReadOnlyList<double> bandEdges, int channels) : base(nameof(StftBandDiscriminator))
    {
        this.window = window;
        hop = Math.Max(1, (int)(window * hopFactor));
        var bins = window / 2 + 1;
        var edges = bandEdges.Select(e => (int)(e * bins)).ToArray();
        bands = edges.Zip(edges.Skip(1), (lo, hi) => (lo, hi - lo)).ToArray();
        if (bands.Any(b => b.Length < 1))
            throw new ArgumentException($"Window {window} has {bins} bins, too few to give every band of [{string.Join(",", bandEdges)}] at least one.", nameof(window));
        band_convs = new ModuleList<ModuleList<WeightNormConv2d>>(bands.Select(_ => BandStack(channels)).ToArray());
        conv_post = new WeightNormConv2d(channels, 1, kernelSize: (3, 3), stride: (1, 1), padding: (1, 1));
        RegisterComponents();
    }

    public override DiscriminatorOutput forward(Tensor audio)
    {
        using var scope = NewDisposeScope();
        var spectrogram = ComplexSpectrogram(audio);
        var features = new List<Tensor>();
        var bandOutputs = new List<Tensor>();
        foreach (var ((start, length), stack) in bands.Zip(band_convs))
        {
            var x = spectrogram.narrow(-1, start, length);
            foreach (var conv in stack)
            {
                x = nn.functional.leaky_relu(conv.call(x), LeakySlope);
                features.Add(x);
            }
            bandOutputs.Add(x);
        }
        var score = conv_post.call(cat(bandOutputs, dim: -1));
        return new DiscriminatorOutput(score.MoveToOuterDisposeScope(), features.Select(f => f.MoveToOuterDisposeScope()).ToList());
    }

    // DAC's per-band stack: widen, then halve the frequency axis three times while keeping time.
    static ModuleList<WeightNormConv2d> BandStack(int channels) => new(
        new WeightNormConv2d(2, channels, kernelSize: (3, 9), stride: (1, 1), padding: (1, 4)),
        new WeightNormConv2d(channels, channels, kernelSize: (3, 9), stride: (1, 2), padding: (1, 4)),
        new WeightNormConv2d(channels, channels, kernelSize: (3, 9), stride: (1, 2), padding: (1, 4)),
        new WeightNormConv2d(channels, channels, kernelSize: (3, 9), stride: (1, 2), padding: (1, 4)),
        new WeightNormConv2d(channels, channels, kernelSize: (3, 3), stride: (1, 1), padding: (1, 1)));

    // [B, 1, T] → [B, 2, frames, bins] with real and imaginary parts as channels.
    Tensor ComplexSpectrogram(Tensor audio)
    {
        var hann = hann_window(window, device: audio.device, dtype: audio.dtype);
        var spectrum = stft(audio.squeeze(1), window, hop, window, hann, center: true, pad_mode: PaddingModes.Reflect, onesided: true, return_complex: true);
        return view_as_real(spectrum).permute(0, 3, 2, 1);
    }
}
