using System.CommandLine;
using PostRvq.Training;

namespace PostRvq.Cli.Commands;

/// <summary>The <c>--config</c> option of every command that reads an experiment config: a preset name or a JSON file.</summary>
static class ConfigOption
{
    /// <summary>
    /// The option; required unless it has a <paramref name="defaultPreset"/> or is <paramref name="optional"/>
    /// (then <paramref name="role"/> says where the config comes from without it).
    /// </summary>
    public static Option<string> Create(string? defaultPreset = null, bool optional = false, string? role = null)
    {
        var option = new Option<string>("--config")
        {
            Description = $"Preset name ({string.Join(", ", ExperimentConfig.Presets)}) or a config JSON file" + (role is null ? "" : $"; {role}"),
            Required = defaultPreset is null && !optional,
        };
        if (defaultPreset is not null) option.DefaultValueFactory = _ => defaultPreset;
        return option;
    }
}
