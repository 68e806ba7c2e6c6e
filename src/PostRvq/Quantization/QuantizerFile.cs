using System.Text.Json;
using System.Text.Json.Nodes;
using PostRvq.IO;

namespace PostRvq.Quantization;

/// <summary>
/// The <c>.quantizer</c> file: a <see cref="ChecksummedFile"/> whose payload is a JSON header (kind, dimension,
/// settings, provenance) and named tensors. Loading dispatches on the kind through a registry, so a quantizer
/// defined in a notebook can register its own loader and round-trip like the built-in ones.
/// </summary>
public static class QuantizerFile
{
    public const string Extension = ".quantizer";
    const string Magic = "PRVQQUAN";
    const int FormatVersion = 1;

    static readonly Dictionary<string, Func<QuantizerState, IQuantizer>> Loaders = new(StringComparer.Ordinal);

    static QuantizerFile() => QuantizerZoo.RegisterLoaders();

    /// <summary>Makes files of <paramref name="kind"/> loadable; a later registration of the same kind replaces it.</summary>
    public static void Register(string kind, Func<QuantizerState, IQuantizer> load)
    {
        lock (Loaders) Loaders[kind] = load;
    }

    public static void Save(string path, QuantizerState state) =>
        ChecksummedFile.Write(path, Magic, FormatVersion, writer => Write(writer, state));

    /// <summary>Writes the state (JSON header, then tensors) with no magic or checksum, for embedding in another file.</summary>
    public static void Write(BinaryWriter writer, QuantizerState state)
    {
        var header = new JsonObject
        {
            ["kind"] = state.Kind,
            ["dimension"] = state.Dimension,
            ["settings"] = state.Settings.DeepClone(),
            ["provenance"] = JsonSerializer.SerializeToNode(state.Provenance),
            ["tensors"] = new JsonArray(state.Tensors.Keys.Select(k => (JsonNode)k).ToArray()),
        };
        writer.Write(header.ToJsonString());
        foreach (var value in state.Tensors.Values) TensorIO.Write(writer, value);
    }

    /// <summary>The state as <see cref="Write(BinaryWriter, QuantizerState)"/> writes it; equal states give equal bytes.</summary>
    public static byte[] ToBytes(QuantizerState state)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) Write(writer, state);
        return buffer.ToArray();
    }

    /// <summary>Reads the state of a quantizer file without building the quantizer.</summary>
    /// <exception cref="InvalidDataException">Missing, truncated, corrupt, foreign or too new.</exception>
    public static QuantizerState ReadState(string path) => FromBytes(ReadBytes(path), path);

    /// <summary>The verified state bytes of a quantizer file: what <see cref="ToBytes"/> gave when it was saved.</summary>
    /// <exception cref="InvalidDataException">Missing, truncated, corrupt, foreign or too new.</exception>
    public static byte[] ReadBytes(string path)
    {
        var (_, payload) = ChecksummedFile.Open(path, Magic, FormatVersion, "quantizer");
        using (payload) return payload.ReadBytes(checked((int)(payload.BaseStream.Length - payload.BaseStream.Position)));
    }

    /// <summary>Reads a state from <see cref="ToBytes"/>'s bytes; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are malformed or have bytes left over.</exception>
    public static QuantizerState FromBytes(byte[] bytes, string source)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), System.Text.Encoding.UTF8);
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
            var names = header["tensors"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
            var tensors = new Dictionary<string, TorchSharp.torch.Tensor>();
            foreach (var name in names) tensors[name] = TensorIO.Read(reader);
            return new QuantizerState(
                header["kind"]!.GetValue<string>(),
                header["dimension"]!.GetValue<int>(),
                header["settings"]!.AsObject().DeepClone().AsObject(),
                tensors,
                header["provenance"]?.Deserialize<Dictionary<string, string>>() ?? []);
        }
        // InvalidDataException: TensorIO's own refusals, which do not know the file's name.
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or IOException
                                      or FormatException or OverflowException or ArgumentException or InvalidDataException)
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
}
