using System.Text;

namespace PostRvq.IO;

/// <summary>
/// Writes files so that readers see either the old content or the complete new content, never a
/// half-written file: the data goes to a temporary file in the same folder, is flushed to disk and is
/// then moved over the target. Does not handle concurrent writers to the same path (the last move wins).
/// </summary>
public static class AtomicFile
{
    const string TempSuffix = ".tmp";

    /// <summary>Writes <paramref name="path"/> atomically; creates its folder if missing.</summary>
    /// <remarks>If <paramref name="write"/> throws, the temporary file is deleted and any existing file is left untouched.</remarks>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        // Same folder as the target so that the final move is a rename on one file system.
        var tempPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(tempPath);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Deletes the temporary files that writes into <paramref name="folder"/> left behind when their process was
    /// killed mid-write (<c>.NAME.GUID.tmp</c>). Call it only while no other process writes there, such as under a
    /// <see cref="Training.RunFolderLock"/>. Returns the names deleted.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemps(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        var removed = new List<string>();
        foreach (var path in Directory.EnumerateFiles(folder, "." + "*" + TempSuffix))
        {
            var name = Path.GetFileName(path);
            if (!IsTempName(name)) continue;
            File.Delete(path);
            removed.Add(name);
        }
        return removed;
    }

    // ".NAME." + 32 hex digits + ".tmp": the exact shape Write uses, so no user file is ever matched.
    static bool IsTempName(string name)
    {
        if (!name.StartsWith('.') || !name.EndsWith(TempSuffix, StringComparison.Ordinal)) return false;
        var stem = name[..^TempSuffix.Length];
        var dot = stem.LastIndexOf('.');
        return dot > 1 && stem.Length - dot - 1 == 32 && stem[(dot + 1)..].All(char.IsAsciiHexDigitLower);
    }
}
