using System.CommandLine;

namespace PostRvq.Cli.Commands;

/// <summary>The repeatable <c>--set section.key=value</c> option of every command that reads a config.</summary>
static class ConfigSetOption
{
    public static Option<string[]> Create() => new("--set")
    {
        Description = "Edit one config value, e.g. --set loss.waveform=0 --set model.linearInit=false (repeatable)",
        DefaultValueFactory = _ => [],
    };
}
