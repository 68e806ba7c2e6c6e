using System.Text.Json;

namespace PostRvq.Training;

/// <summary>
/// The run's <c>log.jsonl</c>: one JSON object per training step (<c>"kind":"train"</c>) and per validation
/// (<c>"kind":"valid"</c>), and notes
/// (<c>"kind":"note"</c>). On resume, rows past the checkpoint's step are dropped, so the log reads as one run.
/// </summary>
public sealed class TrainingLog
{
    public const string FileName = "log.jsonl";
    readonly string path;

    public TrainingLog(string runFolder) => path = Path.Combine(runFolder, FileName);

    public string FilePath => path;

    /// <summary>
    /// Keeps only rows at or before <paramref name="step"/>. Lines that are not a JSON row with a step (such as one cut
    /// short by a crash) cannot be placed, so they go too; returns how many, for the caller to report.
    /// </summary>
    public int TruncateAfter(long step)
    {
        if (!File.Exists(path)) return 0;
        var kept = new List<string>();
        var unparseable = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (StepOf(line) is not { } s) unparseable++;
            else if (s <= step) kept.Add(line);
        }
        IO.AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join('\n', kept) + '\n');
        return unparseable;
    }

    public void Append(string kind, long step, IReadOnlyDictionary<string, double> values)
    {
        var row = new Dictionary<string, object> { ["kind"] = kind, ["step"] = step };
        foreach (var (key, value) in values) row[key] = Math.Round(value, 6);
        File.AppendAllText(path, JsonSerializer.Serialize(row) + '\n');
    }

    /// <summary>Appends a <c>"kind":"note"</c> row with free text, such as where a run's discriminators came from.</summary>
    public void Note(long step, string text)
    {
        var row = new Dictionary<string, object> { ["kind"] = "note", ["step"] = step, ["text"] = text };
        File.AppendAllText(path, JsonSerializer.Serialize(row) + '\n');
    }

    /// <summary>Reads the rows of one kind as dictionaries of numbers, in file order.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, double>> Read(string logPath, string kind)
    {
        var rows = new List<IReadOnlyDictionary<string, double>>();
        foreach (var line in File.ReadLines(logPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("kind").GetString() != kind) continue;
            rows.Add(doc.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.Number)
                .ToDictionary(p => p.Name, p => p.Value.GetDouble()));
        }
        return rows;
    }

    static long? StepOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.GetProperty("step").GetInt64();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
