using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PostRvq.IO;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// The <c>.quantizer</c> file: a safetensors file (<see cref="SafetensorsFile"/>) holding the quantizer's named
/// tensors, with string metadata <c>format</c> = "postrvq-quantizer", <c>format_version</c> = "2", <c>quantizer</c> =
/// the JSON header (kind, dimension, settings, provenance and the tensor names in order) and <c>sha256</c> = the
/// <see cref="TensorHash"/> of that JSON's UTF-8 bytes followed by the tensors in that order. Files of the first
/// format (a <see cref="ChecksummedFile"/> with magic PRVQQUAN) still load. Loading dispatches on the kind through
/// a registry, so a quantizer defined in a notebook can register its own loader and round-trip like the built-in ones.
/// </summary>
public static class QuantizerFile
{
    public const string Extension = ".quantizer";
    const string Format = "postrvq-quantizer";
    const string FormatVersion = "2";
    const string HeaderKey = "quantizer";
    const string ChecksumKey = "sha256";
    const string LegacyMagic = "PRVQQUAN";
    const int LegacyFormatVersion = 1;

    static readonly Dictionary<string, Func<QuantizerState, IQuantizer>> Loaders = new(StringComparer.Ordinal);

    static QuantizerFile() => QuantizerZoo.RegisterLoaders();

    /// <summary>Makes files of <paramref name="kind"/> loadable; a later registration of the same kind replaces it.</summary>
    public static void Register(string kind, Func<QuantizerState, IQuantizer> load)
    {
        lock (Loaders) Loaders[kind] = load;
    }

    /// <summary>Writes the state to <paramref name="path"/> atomically as a safetensors file.</summary>
    public static void Save(string path, QuantizerState state)
    {
        var header = HeaderJson(state);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion,
            [HeaderKey] = header,
            [ChecksumKey] = Checksum(header, state.Tensors.Values),
        };
        SafetensorsFile.Save(path, state.Tensors, metadata);
    }

    /// <summary>Writes the state (JSON header, then tensors) with no magic or checksum, for embedding in another file.</summary>
    public static void Write(BinaryWriter writer, QuantizerState state)
    {
        writer.Write(HeaderJson(state));
        foreach (var value in state.Tensors.Values) TensorIO.Write(writer, value);
    }

    /// <summary>The state as <see cref="Write(BinaryWriter, QuantizerState)"/> writes it; equal states give equal bytes.</summary>
    public static byte[] ToBytes(QuantizerState state)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true)) Write(writer, state);
        return buffer.ToArray();
    }

    /// <summary>Reads the state of a quantizer file (either format) without building the quantizer.</summary>
    /// <exception cref="InvalidDataException">Missing, truncated, corrupt, foreign or too new.</exception>
    public static QuantizerState ReadState(string path) =>
        IsLegacy(path) ? FromBytes(ReadLegacyBytes(path), path) : ReadSafetensors(path);

    /// <summary>
    /// The verified state bytes of a quantizer file: what <see cref="ToBytes"/> gives for its state, in either format,
    /// so a quantizer's <see cref="ContentId"/> does not depend on the file format it was saved in.
    /// </summary>
    /// <exception cref="InvalidDataException">Missing, truncated, corrupt, foreign or too new.</exception>
    public static byte[] ReadBytes(string path)
    {
        if (IsLegacy(path)) return ReadLegacyBytes(path);
        var state = ReadSafetensors(path);
        try
        {
            return ToBytes(state);
        }
        finally
        {
            foreach (var value in state.Tensors.Values) value.Dispose();
        }
    }

    /// <summary>Whether <paramref name="path"/> is a file of the first format (magic PRVQQUAN), which <see cref="Save"/> no longer writes.</summary>
    public static bool IsLegacy(string path)
    {
        if (!File.Exists(path)) return false;
        var magic = Encoding.ASCII.GetBytes(LegacyMagic);
        var start = new byte[magic.Length];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && start.AsSpan().SequenceEqual(magic);
    }

    /// <summary>Reads a state from <see cref="ToBytes"/>'s bytes; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are malformed or have bytes left over.</exception>
    public static QuantizerState FromBytes(byte[] bytes, string source)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var state = Read(reader, source);
        if (reader.BaseStream.Position != bytes.Length)
            throw new InvalidDataException($"{source}: the quantizer state has {bytes.Length - reader.BaseStream.Position} bytes left over");
        return state;
    }

    /// <summary>Reads a state written by <see cref="Write(BinaryWriter, QuantizerState)"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The state is malformed.</exception>
    public static QuantizerState Read(BinaryReader reader, string source)
    {
        try
        {
            var header = JsonNode.Parse(reader.ReadString())!.AsObject();
            var tensors = new Dictionary<string, Tensor>();
            foreach (var name in TensorNames(header)) tensors[name] = TensorIO.Read(reader);
            return StateOf(header, tensors);
        }
        // InvalidDataException: TensorIO's own refusals, which do not know the file's name.
        catch (Exception e) when (IsMalformed(e))
        {
            throw new InvalidDataException($"{source}: the quantizer file's contents are malformed: {e.Message}", e);
        }
    }

    /// <summary>Loads any registered kind of quantizer.</summary>
    /// <exception cref="InvalidDataException">Bad file, or a kind nobody registered.</exception>
    public static IQuantizer Load(string path) => Build(ReadState(path), path);

    /// <summary>Builds any registered kind of quantizer from its state; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">A kind nobody registered, or an inconsistent state.</exception>
    public static IQuantizer Build(QuantizerState state, string source)
    {
        Func<QuantizerState, IQuantizer>? load;
        lock (Loaders) Loaders.TryGetValue(state.Kind, out load);
        if (load is null)
            throw new InvalidDataException(
                $"{source}: quantizer kind '{state.Kind}' is unknown; known kinds: {string.Join(", ", Loaders.Keys.Order())}. " +
                "A custom quantizer must call QuantizerFile.Register before loading.");
        try
        {
            return load(state);
        }
        // NullReference, Format and Overflow: a setting that is null, or a number of the wrong type or size.
        catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException
                                      or NullReferenceException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"{source}: the saved {state.Kind} quantizer is inconsistent: {e.Message}", e);
        }
    }

    /// <summary>The JSON header both formats share; its text is part of <see cref="ToBytes"/>, so its layout must not change.</summary>
    static string HeaderJson(QuantizerState state) => new JsonObject
    {
        ["kind"] = state.Kind,
        ["dimension"] = state.Dimension,
        ["settings"] = state.Settings.DeepClone(),
        ["provenance"] = JsonSerializer.SerializeToNode(state.Provenance),
        ["tensors"] = new JsonArray(state.Tensors.Keys.Select(k => (JsonNode)k).ToArray()),
    }.ToJsonString();

    static string Checksum(string header, IEnumerable<Tensor> tensors) => TensorHash.Sha256(tensors, Encoding.UTF8.GetBytes(header));

    static List<string> TensorNames(JsonObject header) => header["tensors"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    static QuantizerState StateOf(JsonObject header, Dictionary<string, Tensor> tensors) => new(
        header["kind"]!.GetValue<string>(),
        header["dimension"]!.GetValue<int>(),
        header["settings"]!.AsObject().DeepClone().AsObject(),
        tensors,
        header["provenance"]?.Deserialize<Dictionary<string, string>>() ?? []);

    static bool IsMalformed(Exception e) => e is JsonException or NullReferenceException or InvalidOperationException or IOException
        or FormatException or OverflowException or ArgumentException or InvalidDataException;

    static byte[] ReadLegacyBytes(string path)
    {
        var (_, payload) = ChecksummedFile.Open(path, LegacyMagic, LegacyFormatVersion, "quantizer");
        using (payload) return payload.ReadBytes(checked((int)(payload.BaseStream.Length - payload.BaseStream.Position)));
    }

    static QuantizerState ReadSafetensors(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such quantizer file");
        var content = SafetensorsFile.Load(path);
        try
        {
            var meta = content.Metadata;
            if (!meta.TryGetValue("format", out var format) || format != Format)
                throw new InvalidDataException($"not a PostRvq quantizer file (safetensors format '{format}', expected '{Format}')");
            if (meta.GetValueOrDefault("format_version") != FormatVersion)
                throw new InvalidDataException(
                    $"quantizer format version {meta.GetValueOrDefault("format_version")} is not supported (this PostRvq reads {FormatVersion})");
            var headerText = meta.GetValueOrDefault(HeaderKey) ?? throw new InvalidDataException($"the metadata has no '{HeaderKey}'");
            var header = JsonNode.Parse(headerText)!.AsObject();
            var names = TensorNames(header);
            if (names.Count != content.Tensors.Count || names.Distinct().Count() != names.Count)
                throw new InvalidDataException($"the header names tensors [{string.Join(", ", names)}] but the file holds [{string.Join(", ", content.Tensors.Keys)}]");
            var tensors = names.ToDictionary(name => name, content.Tensor);
            // Quantizer tensors in the first format were float32, float64 or int64; so are the identity bytes.
            foreach (var (name, value) in tensors)
                if (value.dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64))
                    throw new InvalidDataException($"tensor '{name}' is {value.dtype}; quantizer tensors are F32, F64 or I64");
            if (meta.GetValueOrDefault(ChecksumKey) != Checksum(headerText, tensors.Values))
                throw new InvalidDataException("the quantizer file is truncated or corrupt (SHA-256 mismatch)");
            return StateOf(header, tensors);
        }
        catch (Exception e) when (IsMalformed(e))
        {
            foreach (var value in content.Tensors.Values) value.Dispose();
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
