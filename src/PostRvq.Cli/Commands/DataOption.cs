using System.CommandLine;

namespace PostRvq.Cli.Commands;

/// <summary>The <c>--data</c> option of every command that reads a corpus: one description of what a corpus may be.</summary>
static class DataOption
{
    /// <summary>
    /// The option; <paramref name="role"/> says which split the command uses for what. It is required unless it has a
    /// <paramref name="defaultPath"/> or is <paramref name="optional"/>.
    /// </summary>
    public static Option<string> Create(string? role = null, string? defaultPath = null, bool optional = false)
    {
        var option = new Option<string>("--data")
        {
            Description = "Corpus folder, manifest.jsonl, or a plain folder of audio" + (role is null ? "" : $"; {role}"),
            Required = defaultPath is null && !optional,
        };
        if (defaultPath is not null) option.DefaultValueFactory = _ => defaultPath;
        return option;
    }
}
