// oneDNN's CPU convolutions are faster than ATen's native kernels but gave wrong gradients for some layer shapes
// (ExactConvolutionTests), so a trainer turns them on only when every shape it trains checks out.
using PostRvq.Discriminators;
using PostRvq.Native;
using PostRvq.Nn;

namespace PostRvq.Training;

/// <summary>What <see cref="CpuConvolutions.Choose(IEnumerable{ConvConfiguration})"/> decided for one trainer and why.</summary>
/// <param name="OneDnn">True if oneDNN is on; false if ATen's native kernels run every convolution.</param>
/// <param name="Checks">The exactness of distinct configurations of the generator and discriminators, oneDNN on, in
/// discriminator-then-generator order up to and including the first inexact one; empty when oneDNN was already off in this process.</param>
public sealed record ConvolutionChoice(bool OneDnn, IReadOnlyList<ConvExactness> Checks)
{
    /// <summary>One line for a log, e.g. <c>convolutions: oneDNN (all 17 layer shapes exact)</c>.</summary>
    public string Summary
    {
        get
        {
            if (OneDnn) return $"convolutions: oneDNN (all {Checks.Count} layer shapes exact against float64)";
            if (Checks.Count == 0) return "convolutions: ATen native (oneDNN was already off in this process)";
            var inexact = Checks[^1];
            return $"convolutions: ATen native (oneDNN inexact for {inexact.Configuration}: relative errors {inexact.OutputError:G2} output, "
                + $"{inexact.InputGradientError:G2} input gradient, {inexact.WeightGradientError:G2} weight gradient)";
        }
    }
}

/// <summary>
/// Chooses oneDNN or ATen's native convolutions for a CPU trainer. The LibTorch flag is process-global and one backward
/// runs through generator and discriminators, so the choice is all or nothing: oneDNN only if every distinct
/// <see cref="ConvConfiguration"/> of both passes <see cref="ConvExactness"/>. Once a trainer has needed the native
/// kernels, later trainers in the process keep them, so that oneDNN is never switched on under a trainer already
/// running. Each configuration is checked once per process.
/// </summary>
public static class CpuConvolutions
{
    static readonly object Gate = new();
    static readonly Dictionary<ConvConfiguration, ConvExactness> Checked = [];

    /// <summary>The most recent choice in this process; null before the first.</summary>
    public static ConvolutionChoice? Current { get; private set; }

    /// <summary>
    /// Sets LibTorch's convolutions for a trainer of <paramref name="config"/> and appends the choice to
    /// <paramref name="runFolder"/>'s log.jsonl as a note.
    /// </summary>
    public static ConvolutionChoice Choose(ExperimentConfig config, string runFolder)
    {
        var choice = Choose(LayerShapes(config));
        Directory.CreateDirectory(runFolder);
        new TrainingLog(runFolder).Note(0, choice.Summary);
        return choice;
    }

    /// <summary>Sets LibTorch's convolutions for a trainer whose generator and discriminators use <paramref name="configurations"/>.</summary>
    public static ConvolutionChoice Choose(IEnumerable<ConvConfiguration> configurations)
    {
        lock (Gate)
        {
            // Keep the earlier choice's reasons when it was this one.
            if (LibTorchCpu.ExactConvolutions) return Current = Current is { OneDnn: false } earlier ? earlier : new ConvolutionChoice(false, []);
            LibTorchCpu.UseOneDnnConvolutions();
            var checks = new List<ConvExactness>();
            foreach (var configuration in configurations.Distinct())
            {
                checks.Add(Check(configuration));
                // One inexact shape settles it; checking the rest would only lengthen every trainer's start.
                if (!checks[^1].Exact) break;
            }
            var oneDnn = checks.All(c => c.Exact);
            if (!oneDnn) LibTorchCpu.UseExactConvolutions();
            return Current = new ConvolutionChoice(oneDnn, checks);
        }
    }

    /// <summary>Every distinct conv configuration of the discriminators and autoencoder <paramref name="config"/> describes.</summary>
    public static IReadOnlyList<ConvConfiguration> LayerShapes(ExperimentConfig config)
    {
        // Throwaway modules: shapes depend on the options only, and the trainer seeds torch after this.
        using var model = Autoencoder.Create(config.Model);
        using var discriminator = Discriminator.Create(config.Discriminator, config.Model.SampleRate);
        // Discriminators first: their narrow stride-1 convs are the shapes oneDNN got wrong, so a check that stops at the
        // first inexact shape ends soonest.
        return ConvConfiguration.Of(discriminator).Concat(ConvConfiguration.Of(model)).Distinct().ToList();
    }

    static ConvExactness Check(ConvConfiguration configuration)
    {
        if (!Checked.TryGetValue(configuration, out var exactness))
            Checked[configuration] = exactness = ConvExactness.Measure(configuration);
        return exactness;
    }
}
