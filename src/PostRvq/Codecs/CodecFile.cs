using System.Text;
using System.Text.Json;
using PostRvq.IO;
using PostRvq.Nn;
using PostRvq.Quantization;
using PostRvq.Training;

namespace PostRvq.Codecs;

/// <summary>
/// The <c>.codec</c> bundle: everything a <see cref="Codec"/> needs in one <see cref="ChecksummedFile"/>. Its payload
/// is a JSON header (kind and <see cref="ModelInfo"/>), the model's weights as <c>Module.save</c> writes them, and
/// the quantizer's state as <see cref="QuantizerFile.ToBytes"/> gives it (empty for a continuous codec), each
/// length-prefixed. The embedded bytes are the ones the ids hash, so a bundle keeps the ids of its parts.
/// </summary>
public static class CodecFile
{
    public const string Extension = ".codec";
    const string Magic = "PRVQCDEC";
    const int FormatVersion = 1;

    sealed record Header(string Kind, ModelInfo Model);

    public static void Save(string path, Codec codec)
    {
        var weights = ModelFile.WeightBytes(codec.Model);
        ChecksummedFile.Write(path, Magic, FormatVersion, writer =>
        {
            writer.Write(JsonSerializer.Serialize(new Header(codec.Kind, codec.Info with { Options = codec.Model.Options }), ExperimentConfig.Json));
            writer.Write(weights.Length);
            writer.Write(weights);
            var quantizer = codec.QuantizerBytes ?? [];
            writer.Write(quantizer.Length);
            writer.Write(quantizer);
        });
    }

    /// <exception cref="InvalidDataException">Missing, truncated, corrupt, foreign, too new or inconsistent; the message names the file.</exception>
    public static Codec Load(string path)
    {
        var (_, payload) = ChecksummedFile.Open(path, Magic, FormatVersion, "codec");
        using (payload)
        {
            Header header;
            byte[] weights;
            byte[] quantizerBytes;
            try
            {
                header = JsonSerializer.Deserialize<Header>(payload.ReadString(), ExperimentConfig.Json)
                    ?? throw new InvalidDataException($"{path}: the codec file has no header");
                header.Model.Options.Validate();
                weights = ReadBlock(payload, "weights");
                quantizerBytes = ReadBlock(payload, "quantizer");
                Codec.RequireKind(header.Kind, hasQuantizer: quantizerBytes.Length > 0);
            }
            catch (Exception e) when (e is JsonException or ArgumentException or EndOfStreamException or NullReferenceException)
            {
                throw new InvalidDataException($"{path}: the codec file is malformed: {e.Message}", e);
            }
            var quantizer = quantizerBytes.Length == 0 ? null : QuantizerFile.Build(QuantizerFile.FromBytes(quantizerBytes, path), path);
            var model = LoadModel(path, header.Model.Options, weights);
            return Codec.Own(model, () => new Codec(model, header.Model, quantizer, quantizerBytes.Length == 0 ? null : quantizerBytes, header.Kind, path));
        }
    }

    /// <summary>Whether <paramref name="path"/> is a file that starts like a codec bundle.</summary>
    public static bool IsCodecFile(string path)
    {
        if (!File.Exists(path)) return false;
        using var stream = File.OpenRead(path);
        var start = new byte[Magic.Length];
        return stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && Encoding.ASCII.GetString(start) == Magic;
    }

    static byte[] ReadBlock(BinaryReader payload, string name)
    {
        var length = payload.ReadInt32();
        if (length < 0 || length > payload.BaseStream.Length - payload.BaseStream.Position)
            throw new EndOfStreamException($"the {name} block claims {length} bytes");
        return payload.ReadBytes(length);
    }

    static Autoencoder LoadModel(string path, AutoencoderOptions options, byte[] weights)
    {
        var model = Autoencoder.Create(options);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(weights, writable: false));
            model.load(reader, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException)
        {
            model.Dispose();
            throw new InvalidDataException($"{path}: the weights do not fit the model's options: {e.Message}", e);
        }
        model.eval();
        return model;
    }
}
