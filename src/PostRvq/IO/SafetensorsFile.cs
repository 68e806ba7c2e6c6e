// The safetensors format (Hugging Face, github.com/huggingface/safetensors): a JSON header then raw tensor bytes.
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using static TorchSharp.torch;

namespace PostRvq.IO;

/// <summary>Named tensors and string metadata read from or written to a safetensors file.</summary>
public sealed record SafetensorsContent(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The tensor called <paramref name="name"/>, or an error naming it and what the file holds.</summary>
    public Tensor Tensor(string name) =>
        Tensors.TryGetValue(name, out var value)
            ? value
            : throw new InvalidDataException($"no tensor '{name}' (the file holds {string.Join(", ", Tensors.Keys)})");
}

/// <summary>
/// Reads and writes safetensors files: an 8-byte little-endian header length, a UTF-8 JSON header
/// <c>{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}}</c> padded with
/// spaces to a multiple of 8 bytes, then the tensors' little-endian C-order bytes, back to back, in the order given.
/// Offsets count from the first byte after the header. Handles F32, F64, I32 and I64; it does not memory-map.
/// </summary>
public static class SafetensorsFile
{
    public const string Extension = ".safetensors";
    const string MetadataKey = "__metadata__";

    // The reference implementation refuses headers over 100 MB: anything larger is not a real header.
    const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes the tensors and metadata to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.Write(path, stream => Write(stream, tensors, metadata));

    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        TensorBytes.RequireLittleEndianHost();
        using var scope = NewDisposeScope();
        var cpu = tensors.Select(pair => (pair.Key, Value: pair.Value.detach().cpu().contiguous())).ToList();
        var duplicate = cpu.GroupBy(t => t.Key).FirstOrDefault(g => g.Count() > 1 || g.Key == MetadataKey);
        if (duplicate is not null) throw new ArgumentException($"Tensor name '{duplicate.Key}' is repeated or reserved.", nameof(tensors));
        var header = Header(cpu, metadata);
        stream.Write(BitConverter.GetBytes((ulong)header.Length));
        stream.Write(header);
        foreach (var (_, value) in cpu) stream.Write(value.bytes);
    }

    static byte[] Header(IReadOnlyList<(string Key, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping writes quotes as \" rather than \u0022, so JSON held in metadata stays readable in the raw header.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (key, value) in tensors)
            {
                var length = value.numel() * TensorBytes.ElementSize(value.dtype);
                json.WriteStartObject(key);
                json.WriteString("dtype", TensorBytes.SafetensorsDtype(value.dtype));
                json.WriteStartArray("shape");
                foreach (var size in value.shape) json.WriteNumberValue(size);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }
            json.WriteEndObject();
        }
        // Padding keeps the data 8-byte aligned, as the reference writer does.
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Reads a safetensors file into CPU tensors.</summary>
    /// <exception cref="InvalidDataException">Missing, truncated, malformed or unsupported; the message names the file.</exception>
    public static SafetensorsContent Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such safetensors file");
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads a whole safetensors stream; <paramref name="name"/> names the source in errors.</summary>
    public static SafetensorsContent Read(Stream stream, string name)
    {
        TensorBytes.RequireLittleEndianHost();
        var lengthBytes = new byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException($"{name}: not a safetensors file (shorter than its 8-byte header length)");
        var headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength < 2 || headerLength > MaxHeaderBytes || (stream.CanSeek && (long)headerLength > stream.Length - 8))
            throw new InvalidDataException($"{name}: not a safetensors file or truncated (header length {headerLength})");
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) < headerBytes.Length)
            throw new InvalidDataException($"{name}: the safetensors header is truncated");
        var entries = ParseHeader(headerBytes, name, out var metadata);
        var dataBytes = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;
        foreach (var entry in entries)
            if (entry.End > dataBytes)
                throw new InvalidDataException($"{name}: the safetensors data is truncated (tensor '{entry.Name}' ends at byte {entry.End} of {dataBytes})");
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            long position = 0;
            foreach (var entry in entries.OrderBy(e => e.Begin))
            {
                if (entry.Begin != position)
                    throw new InvalidDataException($"{name}: tensor '{entry.Name}' starts at byte {entry.Begin}, expected {position} (gap or overlap)");
                var value = empty(entry.Shape, entry.Dtype);
                tensors[entry.Name] = value;
                var bytes = value.bytes;
                if (bytes.Length != entry.End - entry.Begin)
                    throw new InvalidDataException($"{name}: tensor '{entry.Name}' has {entry.End - entry.Begin} bytes but shape [{string.Join(", ", entry.Shape)}] needs {bytes.Length}");
                if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
                    throw new InvalidDataException($"{name}: the safetensors data is truncated in tensor '{entry.Name}'");
                position = entry.End;
            }
            var ordered = entries.ToDictionary(e => e.Name, e => tensors[e.Name]);
            return new SafetensorsContent(ordered, metadata);
        }
        catch
        {
            foreach (var value in tensors.Values) value.Dispose();
            throw;
        }
    }

    static bool ShapeFits(long[] shape, int elementBytes, long bytes)
    {
        var count = 1L;
        foreach (var size in shape)
        {
            if (size != 0 && count > bytes / elementBytes / size) return false;
            count *= size;
        }
        return count * elementBytes == bytes;
    }

    sealed record Entry(string Name, ScalarType Dtype, long[] Shape, long Begin, long End);

    static List<Entry> ParseHeader(byte[] header, string name, out Dictionary<string, string> metadata)
    {
        metadata = [];
        var entries = new List<Entry>();
        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(header).TrimEnd(' '));
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException("the header is not a JSON object");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    foreach (var item in property.Value.EnumerateObject()) metadata[item.Name] = item.Value.GetString()!;
                    continue;
                }
                var value = property.Value;
                var dtypeName = value.GetProperty("dtype").GetString()!;
                var dtype = TensorBytes.FromSafetensorsDtype(dtypeName)
                    ?? throw new InvalidDataException($"tensor '{property.Name}' has dtype {dtypeName}; F32, F64, I32 and I64 are supported");
                var shape = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || shape.Any(d => d < 0))
                    throw new InvalidDataException($"tensor '{property.Name}' has invalid shape or data_offsets");
                // Checked before any allocation, so a corrupt shape cannot ask for more memory than its bytes.
                if (!ShapeFits(shape, TensorBytes.ElementSize(dtype), offsets[1] - offsets[0]))
                    throw new InvalidDataException(
                        $"tensor '{property.Name}' has {offsets[1] - offsets[0]} bytes but shape [{string.Join(", ", shape)}] needs a different number");
                entries.Add(new Entry(property.Name, dtype, shape, offsets[0], offsets[1]));
            }
            return entries;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"{name}: the safetensors header is malformed: {e.Message}", e);
        }
    }
}
