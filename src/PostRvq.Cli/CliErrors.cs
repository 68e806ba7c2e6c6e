using PostRvq.Audio;
using PostRvq.Data;
using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli;

/// <summary>Turns the errors a user can cause into one red line and exit code 1, instead of a stack trace.</summary>
static class CliErrors
{
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
            AnsiConsole.Console.Profile.Out.Writer.Flush();
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Throws a clear error unless <paramref name="path"/> is an existing file or folder.</summary>
    public static void RequireExists(string path, string option)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"{option} {path}: no such file or folder");
    }
}
