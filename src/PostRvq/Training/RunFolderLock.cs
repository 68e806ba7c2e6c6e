using PostRvq.IO;

namespace PostRvq.Training;

/// <summary>
/// An exclusive, OS-level lock on a run folder, so two training runs never write one checkpoint and log. The lock is
/// an open handle on <c>.lock</c> with no sharing; the OS drops it when the process exits or is killed, so a crash
/// never leaves a stale lock. The holder's PID goes in <c>.lock.owner</c>, because the locked file itself cannot be
/// read by anyone else. Does not handle network file systems whose servers ignore advisory locks.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    public const string FileName = ".lock";
    public const string OwnerFileName = ".lock.owner";
    readonly FileStream handle;

    RunFolderLock(string folder, FileStream handle, IReadOnlyList<string> removedTemps)
    {
        Folder = folder;
        this.handle = handle;
        RemovedTemps = removedTemps;
    }

    /// <summary>The locked folder.</summary>
    public string Folder { get; }

    /// <summary>Temporary files of interrupted writes that were deleted once the lock was held.</summary>
    public IReadOnlyList<string> RemovedTemps { get; }

    /// <summary>
    /// Locks <paramref name="folder"/> (created if missing) and deletes the temp files that killed writes left in
    /// it, which is safe only now that no other run can be writing there.
    /// </summary>
    /// <exception cref="IOException">Another process holds the lock; the message names its PID.</exception>
    public static RunFolderLock Acquire(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        FileStream handle;
        try
        {
            handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"{folder} is in use by another run ({Holder(folder)}); wait for it to finish or stop it "
                + "(Ctrl+C; a training run saves its checkpoint first), then run again.", e);
        }
        AtomicFile.WriteAllText(Path.Combine(folder, OwnerFileName),
            $"pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz}\n");
        return new RunFolderLock(folder, handle, AtomicFile.RemoveStaleTemps(folder));
    }

    static string Holder(string folder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, OwnerFileName)).Trim();
        }
        catch (IOException)
        {
            return "pid unknown";
        }
    }

    /// <summary>Releases the lock; the files stay, and the next run takes them over.</summary>
    public void Dispose() => handle.Dispose();
}
