// oneDNN's CPU convolutions are faster than ATen's native kernels but gave wrong gradients for some layer shapes
// (OneDnnExactnessTests), so a trainer turns them on only when every shape it trains checks out, as it is or padded.
// A narrow layer's faults come and go between runs, so every narrow layer that can is padded, whatever its own check says.
using PostRvq.Discriminators;
using PostRvq.Native;
using PostRvq.Nn;
using static TorchSharp.torch;

namespace PostRvq.Training;

/// <summary>What <see cref="CpuConvolutions.Choose(IEnumerable{ConvConfiguration}, IReadOnlySet{ConvConfiguration})"/> decided for one trainer and why.</summary>
/// <param name="OneDnn">True if oneDNN is on; false if ATen's native kernels run every convolution.</param>
/// <param name="Checks">The exactness under oneDNN of each distinct configuration of the generator and discriminators, as it
/// runs in training (narrow ones with zero filters where their input takes a gradient), in discriminator-then-generator
/// order up to and including the first inexact one; empty when oneDNN was already off in this process.</param>
public sealed record ConvolutionChoice(bool OneDnn, IReadOnlyList<ConvExactness> Checks)
{
    /// <summary>The checks of the configurations that run with zero filters up to <see cref="CpuConvolutions.OneDnnOutputBlock"/> outputs.</summary>
    public IReadOnlyList<ConvExactness> Padded => Checks.Where(c => c.RunOutChannels is not null).ToList();

    /// <summary>
    /// One line for a log, e.g. <c>convolutions: oneDNN (all 17 layer shapes exact against float64; 4 narrow ones run with
    /// zero filters up to 16 outputs where their input takes a gradient: ...)</c>.
    /// </summary>
    public string Summary
    {
        get
        {
            if (Checks.Count == 0) return "convolutions: ATen native (oneDNN was already off in this process)";
            if (OneDnn)
            {
                var text = $"convolutions: oneDNN (all {Checks.Count} layer shapes exact against float64";
                var padded = Padded;
                if (padded.Count > 0)
                    text += $"; {padded.Count} narrow ones run with zero filters up to {CpuConvolutions.OneDnnOutputBlock} outputs where their input takes a gradient: "
                        + string.Join(", ", padded.Select(p => p.Configuration));
                return text + ")";
            }
            var inexact = Checks[^1];
            var how = inexact.RunOutChannels is { } run ? $" with zero filters up to {run} outputs" : "";
            return $"convolutions: ATen native (oneDNN inexact for {inexact.Configuration}{how}: relative errors {inexact.OutputError:G2} output, "
                + $"{inexact.InputGradientError:G2} input gradient, {inexact.WeightGradientError:G2} weight gradient)";
        }
    }

    /// <summary>
    /// Makes every layer of <paramref name="module"/> (and its descendants) whose configuration is in <see cref="Padded"/>
    /// run with those zero filters; does nothing unless oneDNN is on. Returns how many layers it changed.
    /// </summary>
    public int Apply(nn.Module module)
    {
        if (!OneDnn) return 0;
        var runs = Padded.ToDictionary(p => p.Configuration, p => p.RunOutChannels!.Value);
        var changed = 0;
        foreach (var layer in module.modules().Prepend(module).OfType<IZeroFilterPaddable>())
        {
            if (!runs.TryGetValue(layer.Configuration, out var run)) continue;
            layer.RunOutChannels = run;
            changed++;
        }
        return changed;
    }
}

/// <summary>
/// Chooses oneDNN or ATen's native convolutions for a CPU trainer. The LibTorch flag is process-global and one backward
/// runs through generator and discriminators, so the choice is all or nothing: oneDNN only if every distinct
/// <see cref="ConvConfiguration"/> of both passes <see cref="ConvExactness"/>. A layer with fewer than
/// <see cref="OneDnnOutputBlock"/> outputs that can (<see cref="IZeroFilterPaddable"/>) is checked, and then trained,
/// with zero filters up to that many wherever its input takes a gradient, and as it is elsewhere. Once a trainer has
/// needed the native kernels, later trainers in the process keep them, so that oneDNN is never switched on under a
/// trainer already running. Each configuration is checked once per process.
/// </summary>
public static class CpuConvolutions
{
    /// <summary>
    /// Outputs a narrow layer is padded up to. Every convolution oneDNN got wrong had fewer than 16 outputs, some only on
    /// some runs, and the same shapes with 16 were exact (OneDnnExactnessTests). A narrow shape that passed 64 trials as
    /// it is still gave a NaN input gradient in training on some runs, so narrow layers are padded whether or not their
    /// own check fails.
    /// </summary>
    public const long OneDnnOutputBlock = 16;

    static readonly object Gate = new();
    static readonly Dictionary<(ConvConfiguration, long?), ConvExactness> Checked = [];

    /// <summary>The most recent choice in this process; null before the first.</summary>
    public static ConvolutionChoice? Current { get; private set; }

    /// <summary>
    /// Sets LibTorch's convolutions for a trainer of <paramref name="config"/> and appends the choice to
    /// <paramref name="runFolder"/>'s log.jsonl as a note. The trainer then <see cref="ConvolutionChoice.Apply"/>s it to its modules.
    /// </summary>
    public static ConvolutionChoice Choose(ExperimentConfig config, string runFolder)
    {
        var (shapes, paddable) = LayerShapesAndPaddable(config);
        var choice = Choose(shapes, paddable);
        Directory.CreateDirectory(runFolder);
        new TrainingLog(runFolder).Note(0, choice.Summary);
        return choice;
    }

    /// <summary>
    /// Sets LibTorch's convolutions for a trainer whose generator and discriminators use <paramref name="configurations"/>,
    /// of which the layers of <paramref name="paddable"/> can run with zero filters.
    /// </summary>
    public static ConvolutionChoice Choose(IEnumerable<ConvConfiguration> configurations, IReadOnlySet<ConvConfiguration>? paddable = null) =>
        Choose(configurations, paddable, Check);

    /// <summary>
    /// The choice with <paramref name="check"/> (configuration, outputs it runs with) in place of the float64 measurement,
    /// so that the all-or-nothing rule can be tested whatever this run's oneDNN gets right.
    /// </summary>
    internal static ConvolutionChoice Choose(IEnumerable<ConvConfiguration> configurations, IReadOnlySet<ConvConfiguration>? paddable,
        Func<ConvConfiguration, long?, ConvExactness> check)
    {
        lock (Gate)
        {
            // Keep the earlier choice's reasons when it was this one.
            if (LibTorchCpu.ExactConvolutions)
                return Current = Current is { OneDnn: false } earlier ? earlier : new ConvolutionChoice(false, []);
            LibTorchCpu.UseOneDnnConvolutions();
            var checks = new List<ConvExactness>();
            foreach (var configuration in configurations.Distinct())
            {
                checks.Add(CheckAsItRuns(configuration, paddable?.Contains(configuration) == true, check));
                // One inexact shape settles it; checking the rest would only lengthen every trainer's start.
                if (!checks[^1].Exact)
                {
                    LibTorchCpu.UseExactConvolutions();
                    return Current = new ConvolutionChoice(false, checks);
                }
            }
            return Current = new ConvolutionChoice(true, checks);
        }
    }

    /// <summary>
    /// The exactness of <paramref name="configuration"/> as a trainer would run it: as it is, unless it is narrow and
    /// <paramref name="canPad"/>; then with zero filters where its input takes a gradient and as it is elsewhere, where
    /// only its output and weight gradient are taken, so those errors are the worse of both checks.
    /// </summary>
    static ConvExactness CheckAsItRuns(ConvConfiguration configuration, bool canPad, Func<ConvConfiguration, long?, ConvExactness> check)
    {
        if (!canPad || configuration.OutChannels >= OneDnnOutputBlock) return check(configuration, null);
        var padded = check(configuration, OneDnnOutputBlock);
        var asItIs = check(configuration, null);
        return padded with
        {
            // Math.Max returns NaN, a fault, if either is NaN.
            OutputError = Math.Max(padded.OutputError, asItIs.OutputError),
            WeightGradientError = Math.Max(padded.WeightGradientError, asItIs.WeightGradientError),
        };
    }

    /// <summary>
    /// Every distinct conv configuration of the discriminators (if <paramref name="config"/> trains adversarially) and
    /// the autoencoder it describes.
    /// </summary>
    public static IReadOnlyList<ConvConfiguration> LayerShapes(ExperimentConfig config) => LayerShapesAndPaddable(config).Shapes;

    /// <summary>
    /// <see cref="LayerShapes"/>, and those of them whose every layer can run with zero filters: plain convolutions without
    /// groups that implement <see cref="IZeroFilterPaddable"/>.
    /// </summary>
    public static (IReadOnlyList<ConvConfiguration> Shapes, IReadOnlySet<ConvConfiguration> Paddable) LayerShapesAndPaddable(ExperimentConfig config)
    {
        // Throwaway modules: shapes depend on the options only, and the trainer seeds torch after this.
        using var model = Autoencoder.Create(config.Model);
        // A trainer without adversarial steps never runs its discriminators, so their shapes need no check.
        using var discriminator = config.Training.Adversarial ? Discriminator.Create(config.Discriminator, config.Model.SampleRate) : null;
        // Discriminators first: their narrow convs are the shapes oneDNN got wrong, so a failing check ends soonest.
        var layers = new nn.Module?[] { discriminator, model }.OfType<nn.Module>().SelectMany(m => m.modules().Prepend(m))
            .Select(layer => (Layer: layer, Shape: ConvConfiguration.From(layer)))
            .Where(l => l.Shape is not null)
            .ToList();
        var paddable = layers.GroupBy(l => l.Shape!)
            .Where(g => g.Key is { Transposed: false, Groups: 1 } && g.All(l => l.Layer is IZeroFilterPaddable))
            .Select(g => g.Key)
            .ToHashSet();
        return (layers.Select(l => l.Shape!).Distinct().ToList(), paddable);
    }

    static ConvExactness Check(ConvConfiguration configuration, long? runOutChannels)
    {
        if (!Checked.TryGetValue((configuration, runOutChannels), out var exactness))
        {
            // Measure's default trials: a padded narrow shape or a wide one never failed, and no count rules out a rare fault.
            Checked[(configuration, runOutChannels)] = exactness = ConvExactness.Measure(configuration, runOutChannels: runOutChannels, untilInexact: true);
        }
        return exactness;
    }
}
