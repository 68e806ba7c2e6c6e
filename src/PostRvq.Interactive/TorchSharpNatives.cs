using System.Runtime.CompilerServices;

namespace PostRvq.Interactive;

/// <summary>
/// Makes TorchSharp's native library load in a notebook, where packages come from <c>#r "nuget: ..."</c>:
/// <list type="bullet">
/// <item>the build's GLIBCXX fix (environment.md): a package restore runs no build steps, so on Debian 12
/// libLibTorchSharp.so would still ask for GLIBCXX_3.4.32; its version need is marked weak in the TorchSharp package
/// folder and in the folders TorchSharp copies its natives to for notebooks;</item>
/// <item>loading the natives up front: only TorchSharp's <c>torch</c> type initializer finds them among the package
/// folders, and creating a module first (<c>new Module(name)</c>) calls into the library before that has run.</item>
/// </list>
/// </summary>
public static class TorchSharpNatives
{
    static readonly HashSet<string> WeakVersions = ["GLIBCXX_3.4.32"];

    /// <summary>Patches every copy of libLibTorchSharp.so that TorchSharp may load, then loads it; returns one line
    /// per file changed, and one if the library still does not load.</summary>
    public static IReadOnlyList<string> Prepare()
    {
        var report = OperatingSystem.IsLinux() ? MarkGlibcxxWeak() : [];
        try
        {
            RuntimeHelpers.RunClassConstructor(typeof(TorchSharp.torch).TypeHandle);
        }
        catch (TypeInitializationException e)
        {
            report.Add($"TorchSharp could not load its native library: {e.InnerException?.Message.Split('\n')[0]}");
        }
        return report;
    }

    static List<string> MarkGlibcxxWeak()
    {
        // typeof does not run TorchSharp's type initializer, which is what loads the natives.
        var managed = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        if (string.IsNullOrEmpty(managed)) return [];
        var candidates = new[]
        {
            Path.Combine(managed, "..", "..", "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(managed, "cpu", "libLibTorchSharp.so"),
            Path.Combine(managed, "cuda", "libLibTorchSharp.so"),
            Path.Combine(managed, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(managed, "libLibTorchSharp.so"),
        };
        var report = new List<string>();
        foreach (var path in candidates.Select(Path.GetFullPath).Where(File.Exists))
        {
            try
            {
                var changed = ElfVersionNeeds.MarkWeak(path, WeakVersions);
                if (changed is { Length: > 0 })
                    report.Add($"GLIBCXX fix: marked {string.Join(", ", changed)} weak in {path}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                report.Add($"GLIBCXX fix: could not patch {path}: {e.Message}");
            }
        }
        return report;
    }
}
