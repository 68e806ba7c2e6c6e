using System.CommandLine;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq bench</c>: speed and memory figures that do not belong in timed tests. Each subcommand is a file of its
/// own (<see cref="BenchTrainCommand"/>, <see cref="BenchMemoryCommand"/>, <see cref="BenchQuantizeCommand"/>); the
/// naive references and timing helpers they use are in <c>Bench/</c>.
/// </summary>
static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks: training speed, real-time factor, memory over many steps, quantizer speed");
        bench.Subcommands.Add(BenchTrainCommand.Create());
        bench.Subcommands.Add(BenchMemoryCommand.Create());
        bench.Subcommands.Add(BenchQuantizeCommand.Create());
        return bench;
    }

    /// <summary>The options of the benchmarks that train: the config, the steps to measure, and torch threads (2 by default).</summary>
    internal static (Option<string> Config, Option<int> Steps, Option<int?> Threads) TrainingOptions(string defaultConfig, int defaultSteps) => (
        ConfigOption.Create(defaultPreset: defaultConfig),
        new Option<int>("--steps") { Description = "Steps to measure", DefaultValueFactory = _ => defaultSteps },
        ThreadsOption.Create(defaultThreads: 2));
}
