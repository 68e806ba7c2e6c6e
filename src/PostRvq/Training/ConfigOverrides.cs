using System.Text.Json;
using System.Text.Json.Nodes;

namespace PostRvq.Training;

/// <summary>
/// Command-line edits of a config, written <c>section.key=value</c> (e.g. <c>loss.waveform=0</c>,
/// <c>model.linearInit=false</c>, <c>discriminator.periods=[2,3]</c>). The value is read as JSON when it parses and
/// as a string otherwise, so <c>model.kind=mdct</c> needs no quotes. Edits apply to the JSON before it is
/// deserialised, so a misspelt key is refused exactly like one in the file.
/// </summary>
public static class ConfigOverrides
{
    static readonly JsonDocumentOptions Comments = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Applies every <c>path=value</c> edit to <paramref name="json"/> in order and returns the edited JSON.</summary>
    /// <exception cref="ConfigException">An edit without '=' or with an empty path, or a path through a non-object.</exception>
    public static string Apply(string json, IEnumerable<string> edits, string source)
    {
        var root = JsonNode.Parse(json, documentOptions: Comments) as JsonObject
            ?? throw new ConfigException($"{source}: the file holds no JSON object");
        foreach (var edit in edits) Set(root, edit);
        return root.ToJsonString();
    }

    static void Set(JsonObject root, string edit)
    {
        var equals = edit.IndexOf('=');
        if (equals <= 0)
            throw new ConfigException($"--set '{edit}': expected section.key=value, e.g. loss.waveform=0");
        var path = edit[..equals].Split('.');
        if (path.Any(string.IsNullOrWhiteSpace))
            throw new ConfigException($"--set '{edit}': the key path '{edit[..equals]}' has an empty part");
        var node = root;
        foreach (var part in path[..^1])
        {
            if (node[part] is null) node[part] = new JsonObject();
            node = node[part] as JsonObject
                ?? throw new ConfigException($"--set '{edit}': '{part}' is a value, not a section");
        }
        node[path[^1]] = ParseValue(edit[(equals + 1)..]);
    }

    static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
