using PostRvq.Cli;
using Spectre.Console;

namespace PostRvq.Tests;

/// <summary>Runs <c>postrvq</c> in process with stdout, stderr and Spectre's console captured; callers run serially.</summary>
static class CliRunner
{
    public static (int Code, string Output, string Error) Run(params string[] args) => Capture(() => PostRvqCli.Run(args));

    /// <summary>Runs <paramref name="root"/> (the CLI with extra commands) through the CLI's error boundary.</summary>
    public static (int Code, string Output, string Error) Run(System.CommandLine.RootCommand root, params string[] args) =>
        Capture(() => CliErrors.Invoke(root.Parse(args)));

    static (int Code, string Output, string Error) Capture(Func<int> run)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldError, oldAnsi) = (Console.Out, Console.Error, AnsiConsole.Console);
        Console.SetOut(output);
        Console.SetError(error);
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No, ColorSystem = ColorSystemSupport.NoColors,
        });
        try
        {
            return (run(), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
            AnsiConsole.Console = oldAnsi;
        }
    }
}
