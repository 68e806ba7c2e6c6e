using System.CommandLine;

namespace PostRvq.Cli.Commands;

/// <summary>
/// The <c>--out</c> option of every command that writes: a file or a folder, said in the description. The commands that
/// turn one input into one file (encode, decode, bundle) also take <c>-o</c>.
/// </summary>
static class OutOption
{
    /// <summary>A required output file: <paramref name="kind"/> names what is written (e.g. <c>.codes</c>).</summary>
    public static Option<string> File(string kind, bool shortAlias = false) => Create($"The {kind} file to write", shortAlias);

    /// <summary>A folder the command writes into, described by <paramref name="contents"/>; required unless it has a <paramref name="defaultFolder"/>.</summary>
    public static Option<string> Folder(string contents, string? defaultFolder = null) => Create($"Folder to write: {contents}", defaultValue: defaultFolder);

    /// <summary>The run folder of a training command (train, finetune, e2e), which a second run with the same folder resumes.</summary>
    public static Option<string> RunFolder() => Create("Run folder (runs/NAME): checkpoint, config and log; resumes if it has a checkpoint");

    /// <summary>An output whose description a command gives whole, for one that may be either a file or a folder.</summary>
    public static Option<string> Create(string description, bool shortAlias = false, string? defaultValue = null)
    {
        var option = shortAlias ? new Option<string>("--out", "-o") : new Option<string>("--out");
        option.Description = description;
        option.Required = defaultValue is null;
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        return option;
    }
}
