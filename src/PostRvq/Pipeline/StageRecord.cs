using System.Text.Json;
using PostRvq.IO;

namespace PostRvq.Pipeline;

/// <summary>The <c>stage.json</c> a completed stage leaves in its folder: its fingerprint, when, and how long it took.</summary>
public sealed record StageRecord(string Stage, string Fingerprint, DateTimeOffset Completed, double Seconds)
{
    public const string FileName = "stage.json";

    /// <summary>The record of a completed stage folder, or null when it has none (the stage never completed).</summary>
    /// <exception cref="InvalidDataException">The record exists but is unreadable: a stage whose state is unknown is
    /// neither trusted nor silently redone; the message names the file and how to redo the stage.</exception>
    public static StageRecord? TryRead(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        StageRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<StageRecord>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw Corrupt(path, folder, e.Message, e);
        }
        if (record is null || string.IsNullOrEmpty(record.Stage) || string.IsNullOrEmpty(record.Fingerprint))
            throw Corrupt(path, folder, "it lacks the stage name or fingerprint", null);
        return record;
    }

    static InvalidDataException Corrupt(string path, string folder, string why, Exception? inner) =>
        new($"{path}: the stage record is corrupt ({why}); rerun with --force {Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))} "
            + "to redo the stage, or delete its folder.", inner);

    public void Write(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
}
