using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PostRvq.Pipeline;

/// <summary>
/// A content hash of what a stage depends on: its name, its options as JSON, and each input's contents. An input
/// that is a completed stage folder contributes that stage's own fingerprint, so a change upstream re-runs
/// everything downstream without rehashing large outputs. Timestamps never enter it.
/// </summary>
public static class StageFingerprint
{
    public static string Compute(string stageName, object options, IEnumerable<string> inputs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, "stage:" + stageName);
        Add(hash, "options:" + JsonSerializer.Serialize(options, options.GetType()));
        foreach (var input in inputs)
        {
            var full = Path.GetFullPath(input);
            Add(hash, "input:" + Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)));
            if (StageRecord.TryRead(full) is { } record) Add(hash, "stage-output:" + record.Fingerprint);
            else if (File.Exists(full)) AddFile(hash, full);
            else if (Directory.Exists(full))
                foreach (var file in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    Add(hash, "file:" + Path.GetRelativePath(full, file));
                    AddFile(hash, file);
                }
            else throw new FileNotFoundException($"{input}: the stage '{stageName}' needs this input, and it does not exist", input);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    static void Add(IncrementalHash hash, string text)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        hash.AppendData([0]);
    }

    static void AddFile(IncrementalHash hash, string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        hash.AppendData([0]);
    }
}
