using System.Text.Json;

namespace PostRvq.Data;

/// <summary>
/// Parses <c>manifest.jsonl</c>: one JSON object per line with the string fields id, path and split (required),
/// category, licence, package, source (optional strings) and source_sample_rate, duration (optional numbers).
/// Blank lines are skipped; unknown fields are ignored so that builders can add their own. Every entry's file must exist.
/// </summary>
static class ManifestReader
{
    public static List<CorpusEntry> Read(string manifestPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var entries = new List<CorpusEntry>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(manifestPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var entry = ParseLine(line, manifestPath, lineNumber);
            if (!ids.Add(entry.Id))
            {
                throw LineError(manifestPath, lineNumber, $"duplicate id \"{entry.Id}\"");
            }
            var audioPath = Path.Combine(folder, entry.Path);
            if (!File.Exists(audioPath))
            {
                throw LineError(manifestPath, lineNumber, $"file of \"{entry.Id}\" not found: {audioPath}");
            }
            entries.Add(entry);
        }
        return entries;
    }

    static CorpusEntry ParseLine(string line, string manifestPath, int lineNumber)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw LineError(manifestPath, lineNumber, $"invalid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw LineError(manifestPath, lineNumber, $"expected a JSON object, got {root.ValueKind}");
            }
            string RequiredString(string name) =>
                OptionalString(name, "") is { Length: > 0 } value ? value : throw LineError(manifestPath, lineNumber, $"missing or empty \"{name}\"");

            string OptionalString(string name, string fallback) => !root.TryGetProperty(name, out var value) ? fallback : value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw LineError(manifestPath, lineNumber, $"\"{name}\" must be a string, got {value.ValueKind}");

            double OptionalNumber(string name) => !root.TryGetProperty(name, out var value) ? 0 : value.ValueKind == JsonValueKind.Number && value.GetDouble() >= 0
                ? value.GetDouble()
                : throw LineError(manifestPath, lineNumber, $"\"{name}\" must be a non-negative number, got {value.GetRawText()}");

            var sampleRate = OptionalNumber("source_sample_rate");
            if (sampleRate != Math.Floor(sampleRate) || sampleRate > int.MaxValue)
            {
                throw LineError(manifestPath, lineNumber, $"\"source_sample_rate\" must be a whole number of Hz, got {sampleRate}");
            }
            return new CorpusEntry(
                Id: RequiredString("id"),
                Path: RequiredString("path"),
                Split: RequiredString("split"),
                Category: OptionalString("category", ""),
                Licence: OptionalString("licence", "unknown"),
                Package: OptionalString("package", ""),
                Source: OptionalString("source", ""),
                SourceSampleRate: (int)sampleRate,
                Duration: OptionalNumber("duration"));
        }
    }

    static CorpusException LineError(string manifestPath, int lineNumber, string problem, Exception? inner = null) =>
        new($"{manifestPath}:{lineNumber}: {problem}", inner);
}
