using System.CommandLine;
using System.CommandLine.Parsing;
using PostRvq.Audio;
using PostRvq.Data;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli;

/// <summary>
/// Turns every error into one line on stderr and exit code 1, instead of a stack trace: the errors a user can cause
/// (<see cref="Run"/>), and anything else that escapes a command, native torch errors included (<see cref="Invoke"/>).
/// The global <c>--verbose</c> option adds the full trace.
/// </summary>
static class CliErrors
{
    public const string VerboseName = "--verbose";

    // The options whose values are the files a command reads, named in the line for an unexpected error.
    static readonly string[] InputOptions = ["--in", "--data", "--model", "--quantizer", "--codec", "--checkpoint", "--latents", "--config"];

    // Set for the duration of one invocation; a nested one (the pipeline runs commands in process) inherits it.
    static bool verbose;

    /// <summary>The global <c>--verbose</c> option, recursive so that every subcommand takes it.</summary>
    public static Option<bool> CreateVerboseOption() => new(VerboseName)
    {
        Description = "On an error, also print its full stack trace",
        Recursive = true,
    };

    /// <summary>
    /// Runs the parsed command. An exception that escapes it (a native <c>ExternalException</c> from TorchSharp, or any
    /// other bug) becomes one line naming the command and its inputs, with the trace only under <c>--verbose</c>.
    /// </summary>
    public static int Invoke(ParseResult parse)
    {
        var outer = verbose;
        verbose = outer || (parse.Errors.Count == 0 && parse.GetValue<bool>(VerboseName));
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            var inputs = Inputs(parse);
            Report($"postrvq {CommandPath(parse)}{(inputs.Length > 0 ? $" ({inputs})" : "")} failed: {FirstLine(e.Message)} [{e.GetType().Name}]", e,
                verbose ? null : "; run it again with --verbose for the full trace");
            return 1;
        }
        finally
        {
            verbose = outer;
        }
    }

    /// <summary>Runs a command's action, turning the errors a user can cause into one line and exit code 1.</summary>
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is AudioFormatException or CorpusException or ConfigException or InvalidDataException
            or TrainingDivergedException or ArgumentException or FileNotFoundException or DirectoryNotFoundException
            or UnauthorizedAccessException or IOException or PostRvq.Pipeline.PipelineStageException)
        {
            Report(e.Message, e);
            return 1;
        }
    }

    /// <summary>Throws a clear error unless <paramref name="path"/> is an existing file or folder.</summary>
    public static void RequireExists(string path, string option)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"{option} {path}: no such file or folder");
    }

    static void Report(string line, Exception e, string? hint = null)
    {
        // Spectre buffers its own writer; flushing first keeps the error after the output it follows.
        AnsiConsole.Console.Profile.Out.Writer.Flush();
        Console.Error.WriteLine($"error: {line}{hint}");
        if (verbose) Console.Error.WriteLine(e);
    }

    /// <summary>"bench train" for <c>postrvq bench train ...</c>.</summary>
    static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is CommandResult parent; result = parent) names.Insert(0, result.Command.Name);
        return string.Join(" ", names);
    }

    /// <summary>The input files given on the command line, as "--in a.wav, --model m.model" or the bare arguments.</summary>
    static string Inputs(ParseResult parse)
    {
        var parts = new List<string>();
        foreach (var child in parse.CommandResult.Children)
        {
            if (child is OptionResult { Implicit: false } option && InputOptions.Contains(option.Option.Name))
                parts.Add($"{option.Option.Name} {string.Join(" ", option.Tokens.Select(t => t.Value))}");
            else if (child is ArgumentResult argument)
                parts.AddRange(argument.Tokens.Select(t => t.Value));
        }
        return string.Join(", ", parts);
    }

    // Native errors append libtorch's C++ backtrace after the first line.
    static string FirstLine(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(no message)";
}
