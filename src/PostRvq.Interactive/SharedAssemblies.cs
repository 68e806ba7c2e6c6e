using System.Reflection;
using System.Runtime.Loader;

namespace PostRvq.Interactive;

/// <summary>
/// Keeps one copy of each of this folder's assemblies in a notebook process. The C# kernel loads a #r'd dll and
/// its dependencies into a load context of its own, while F#'s #r resolves through the default context; without
/// this, an F# cell would load a second PostRvq (or Plotly.NET), and a C# variable of a PostRvq type could then no
/// longer be found ("Field not found: Submission#2.x") nor formatted.
/// </summary>
public static class SharedAssemblies
{
    static int installed;

    /// <summary>Answers the default context's failed look-ups with an already loaded copy from this folder.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return;
        var folder = Path.GetDirectoryName(typeof(SharedAssemblies).Assembly.Location);
        AssemblyLoadContext.Default.Resolving += (_, name) => AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(name, a.GetName())
                && !a.IsDynamic && Path.GetDirectoryName(a.Location) == folder);
    }
}
