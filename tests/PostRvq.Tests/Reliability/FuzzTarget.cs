using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PostRvq.Tests.Reliability;

/// <summary>
/// A parser under fuzzing: small valid files of its format, where its header fields sit, how to re-seal a file
/// whose checksum would otherwise refuse every change, and the one exception type its documentation promises.
/// </summary>
sealed record FuzzTarget
{
    public required string Name { get; init; }
    public required string Extension { get; init; }
    public required IReadOnlyList<byte[]> Valid { get; init; }
    /// <summary>Byte offsets of header fields, for <see cref="MutationKind.SetField"/>.</summary>
    public required IReadOnlyList<int> Fields { get; init; }
    /// <summary>The documented exception for bad input.</summary>
    public required Type Documented { get; init; }
    /// <summary>Loads the file and checks what it got; throws for a bad file.</summary>
    public required Action<string> Load { get; init; }
    /// <summary>Whether the file ends with the SHA-256 of the rest, which a sealed case recomputes after mutating.</summary>
    public bool Checksummed { get; init; }
    /// <summary>Rewrites one header field with an edge value (position and value are raw draws).</summary>
    public Func<byte[], uint, uint, byte[]> EditHeader { get; init; } = (bytes, _, _) => bytes;

    const int HashBytes = 32;

    /// <summary>The bytes a case feeds the parser.</summary>
    public byte[] Build(FuzzCase c)
    {
        var valid = Valid[c.File % Valid.Count];
        if (!Checksummed || !c.Sealed) return c.Mutations.Aggregate(valid, (bytes, m) => m.Apply(bytes, EditHeader));
        // Past the checksum, so that the fields behind it meet the parser.
        var body = c.Mutations.Aggregate(valid[..^HashBytes], (bytes, m) => m.Apply(bytes, EditHeader));
        return [.. body, .. SHA256.HashData(body)];
    }

    /// <summary>Edits a length-prefixed (.NET BinaryWriter) JSON string at <paramref name="offset"/>.</summary>
    public static Func<byte[], uint, uint, byte[]> JsonStringAt(int offset) => (bytes, position, value) =>
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes[offset..]), Encoding.UTF8);
            var json = reader.ReadString();
            var end = offset + (int)reader.BaseStream.Position;
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true)) writer.Write(EditJson(json, position, value));
            return [.. bytes[..offset], .. buffer.ToArray(), .. bytes[end..]];
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or System.Text.Json.JsonException)
        {
            return bytes;
        }
    };

    /// <summary>Edits the JSON header of a safetensors file (8-byte length, then the JSON).</summary>
    public static byte[] EditSafetensorsHeader(byte[] bytes, uint position, uint value)
    {
        if (bytes.Length < 8) return bytes;
        var length = BitConverter.ToUInt64(bytes);
        if (length > (ulong)(bytes.Length - 8)) return bytes;
        try
        {
            var json = Encoding.UTF8.GetBytes(EditJson(Encoding.UTF8.GetString(bytes, 8, (int)length), position, value));
            return [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. bytes[(8 + (int)length)..]];
        }
        catch (System.Text.Json.JsonException)
        {
            return bytes;
        }
    }

    // Literals that a dict-style .npy header could hold but should not: huge, negative or foreign.
    static readonly string[] NpyLiterals =
    [
        "0", "-1", "1", "4294967296", "2147483648", "9223372036854775807", "18446744073709551616", "1e5", "",
        "'<f2'", "'>f4'", "'|O'", "'<c8'", "'<U3'", "True", "False", "(", ")", ",", "None",
    ];

    /// <summary>Edits one token of a version 1.0 .npy header (2-byte length at 8, text at 10), keeping its 64-byte alignment.</summary>
    public static byte[] EditNpyHeader(byte[] bytes, uint position, uint value)
    {
        if (bytes.Length < 10) return bytes;
        var length = BitConverter.ToUInt16(bytes, 8);
        if (10 + length > bytes.Length) return bytes;
        var header = Encoding.ASCII.GetString(bytes, 10, length).TrimEnd();
        var tokens = Regex.Matches(header, @"\d+|'[^']*'|True|False");
        if (tokens.Count == 0) return bytes;
        var token = tokens[(int)(position % (uint)tokens.Count)];
        header = header[..token.Index] + NpyLiterals[value % (uint)NpyLiterals.Length] + header[(token.Index + token.Length)..];
        var padding = 64 - (10 + header.Length + 1) % 64;
        var text = Encoding.ASCII.GetBytes(header + new string(' ', padding) + "\n");
        return [.. bytes[..8], .. BitConverter.GetBytes((ushort)text.Length), .. text, .. bytes[(10 + length)..]];
    }

    // Replacements for one JSON value: edge numbers, wrong types, and the names of other model kinds.
    static readonly string?[] JsonLiterals =
    [
        "0", "-1", "1", "3", "65536", "2147483647", "-2147483648", "9223372036854775807", "1e300", "-0.5",
        "\"\"", "\"x\"", "\"mdct\"", "\"waveform\"", "null", "true", "[]", "{}", "[2]", "[0,1]", null,
    ];

    /// <summary>Replaces (or, for a null literal, removes) the value at a drawn position of a JSON document.</summary>
    static string EditJson(string json, uint position, uint value)
    {
        var root = JsonNode.Parse(json) ?? throw new System.Text.Json.JsonException("empty JSON");
        var nodes = new List<(JsonNode Parent, string? Key, int Index)>();
        Collect(root, nodes);
        if (nodes.Count == 0) return json;
        var (parent, key, index) = nodes[(int)(position % (uint)nodes.Count)];
        var literal = JsonLiterals[value % (uint)JsonLiterals.Length];
        var replacement = literal is null ? null : JsonNode.Parse(literal);
        if (parent is JsonObject obj)
        {
            if (literal is null) obj.Remove(key!);
            else obj[key!] = replacement;
        }
        else if (parent is JsonArray array)
        {
            if (literal is null) array.RemoveAt(index);
            else array[index] = replacement;
        }
        return root.ToJsonString();
    }

    static void Collect(JsonNode node, List<(JsonNode, string?, int)> into)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj.ToList())
            {
                into.Add((obj, key, -1));
                if (child is not null) Collect(child, into);
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                into.Add((array, null, i));
                if (array[i] is { } child) Collect(child, into);
            }
        }
    }
}

/// <summary>One fuzz case: which valid file, whether to re-seal its checksum, and one to three mutations.</summary>
sealed record FuzzCase(int File, bool Sealed, IReadOnlyList<FileMutation> Mutations)
{
    public override string ToString() => $"file {File}, {(Sealed ? "re-sealed" : "raw")}, {string.Join(" then ", Mutations)}";
}
