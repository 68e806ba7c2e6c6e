using System.Text.Json;
using PostRvq.IO;

namespace PostRvq.Pipeline;

/// <summary>The <c>stage.json</c> a completed stage leaves in its folder: its fingerprint, when, and how long it took.</summary>
public sealed record StageRecord(string Stage, string Fingerprint, DateTimeOffset Completed, double Seconds)
{
    public const string FileName = "stage.json";

    /// <summary>The record of a completed stage folder, or null when there is none or it is unreadable.</summary>
    public static StageRecord? TryRead(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<StageRecord>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Write(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
}
