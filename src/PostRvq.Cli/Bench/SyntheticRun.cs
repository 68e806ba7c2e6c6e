using PostRvq.Audio;
using PostRvq.Training;

namespace PostRvq.Cli.Bench;

/// <summary>A continuous trainer on synthetic clips in a throw-away run folder, for timing and memory benchmarks that need no corpus.</summary>
static class SyntheticRun
{
    /// <summary>A trainer of <paramref name="config"/> on 16 synthetic 4 s training clips and 4 of 2 s for validation, writing to <paramref name="run"/>.</summary>
    public static ContinuousTrainer Trainer(ExperimentConfig config, string run)
    {
        var sampleRate = config.Model.SampleRate;
        return new ContinuousTrainer(config, SyntheticAudio.Clips(16, 4, sampleRate), SyntheticAudio.Clips(4, 2, sampleRate, seed: 1), run);
    }

    /// <summary>A fresh path under the temp folder for one benchmark run; the caller deletes it.</summary>
    public static string TempFolder() => Path.Combine(Path.GetTempPath(), "postrvq-bench-" + Guid.NewGuid().ToString("N"));
}
