namespace PostRvq.IO;

/// <summary>
/// The real location of a path: absolute, with every symbolic link along it followed, so that two names of one file
/// compare equal. Parts that do not exist yet are kept as given. Does not see hard links (two names, one inode).
/// </summary>
public static class RealPath
{
    /// <summary>Linux file names are case-sensitive; Windows and macOS ones usually are not.</summary>
    public static StringComparison Comparison { get; } = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>The absolute path of <paramref name="path"/> with symbolic links resolved, component by component.</summary>
    public static string Of(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var resolved = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            resolved = Path.Combine(resolved, part);
            FileSystemInfo info = Directory.Exists(resolved) ? new DirectoryInfo(resolved) : new FileInfo(resolved);
            // A link's target may itself sit under links; ResolveLinkTarget follows the chain to the end.
            if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                resolved = Of(target.FullName);
        }
        return resolved;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies anywhere under it (both real paths).</summary>
    public static bool IsSameOrUnder(string path, string folder) =>
        string.Equals(path, folder, Comparison)
        || path.StartsWith(folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, Comparison);
}
