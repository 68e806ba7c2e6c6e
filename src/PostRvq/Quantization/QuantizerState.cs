using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Everything a saved quantizer holds: its family <paramref name="Kind"/> (the registry key), latent dimension,
/// options as JSON, named tensors, and provenance strings.
/// </summary>
public sealed record QuantizerState(
    string Kind,
    int Dimension,
    JsonObject Settings,
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, string> Provenance)
{
    /// <summary>The tensor called <paramref name="name"/>, or a clear error naming what is missing.</summary>
    public Tensor Tensor(string name) =>
        Tensors.TryGetValue(name, out var value)
            ? value
            : throw new InvalidDataException($"The saved {Kind} quantizer has no tensor '{name}'.");

    /// <summary>The setting called <paramref name="name"/> as T, or a clear error.</summary>
    public T Setting<T>(string name)
    {
        var node = Settings[name] ?? throw new InvalidDataException($"The saved {Kind} quantizer has no setting '{name}'.");
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The saved {Kind} quantizer's setting '{name}' is not a {typeof(T).Name}.", e);
        }
    }
}
