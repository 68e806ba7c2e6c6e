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

    public static void Save(string path, QuantizerState state)
    {
        var header = new JsonObject
        {
            ["kind"] = state.Kind,
            ["dimension"] = state.Dimension,
            ["settings"] = state.Settings.DeepClone(),
            ["provenance"] = JsonSerializer.SerializeToNode(state.Provenance),
            ["tensors"] = new JsonArray(state.Tensors.Keys.Select(k => (JsonNode)k).ToArray()),
        };
        ChecksummedFile.Write(path, Magic, FormatVersion, writer =>
        {
            writer.Write(header.ToJsonString());
            foreach (var value in state.Tensors.Values) TensorIO.Write(writer, value);
        });
    }

    /// <summary>Reads the state of a quantizer file without building the quantizer.</summary>
    /// <exception cref="InvalidDataException">Missing, truncated, corrupt, foreign or too new.</exception>
    public static QuantizerState ReadState(string path)
    {
        var (_, payload) = ChecksummedFile.Open(path, Magic, FormatVersion, "quantizer");
        using (payload)
        {
            try
            {
                var header = JsonNode.Parse(payload.ReadString())!.AsObject();
                var names = header["tensors"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
                var tensors = new Dictionary<string, TorchSharp.torch.Tensor>();
                foreach (var name in names) tensors[name] = TensorIO.Read(payload);
                return new QuantizerState(
                    header["kind"]!.GetValue<string>(),
                    header["dimension"]!.GetValue<int>(),
                    header["settings"]!.AsObject().DeepClone().AsObject(),
                    tensors,
                    header["provenance"]?.Deserialize<Dictionary<string, string>>() ?? []);
            }
            catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or EndOfStreamException or OverflowException)
            {
                throw new InvalidDataException($"{path}: the quantizer file's contents are malformed: {e.Message}", e);
            }
        }
    }

    /// <summary>Loads any registered kind of quantizer.</summary>
    /// <exception cref="InvalidDataException">Bad file, or a kind nobody registered.</exception>
    public static IQuantizer Load(string path)
    {
        var state = ReadState(path);
        Func<QuantizerState, IQuantizer>? load;
        lock (Loaders) Loaders.TryGetValue(state.Kind, out load);
        if (load is null)
            throw new InvalidDataException(
                $"{path}: quantizer kind '{state.Kind}' is unknown; known kinds: {string.Join(", ", Loaders.Keys.Order())}. " +
                "A custom quantizer must call QuantizerFile.Register before loading.");
        try
        {
            return load(state);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: the saved {state.Kind} quantizer is inconsistent: {e.Message}", e);
        }
    }
}
