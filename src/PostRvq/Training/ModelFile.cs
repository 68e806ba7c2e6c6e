using System.Runtime.InteropServices;
using System.Text.Json;
using PostRvq.IO;
using PostRvq.Nn;

namespace PostRvq.Training;

/// <summary>Where a shipped model came from: its options, training and held-out scores.</summary>
public sealed record ModelInfo
{
    public required AutoencoderOptions Options { get; init; }
    public string Config { get; init; } = "custom";
    public long Steps { get; init; }
    public string TrainedOn { get; init; } = "";
    public Metrics.AudioMetricValues? TestMetrics { get; init; }
    /// <summary>"continuous" (step 1), "finetuned" (decoder finetuned on quantized latents) or "e2e" (trained with an in-loop RVQ).</summary>
    public string Kind { get; init; } = "continuous";
    /// <summary>Bitrates the decoder was trained for (finetuned: the finetuning bitrates; e2e: the full depth).</summary>
    public double[]? Kbps { get; init; }
    /// <summary>File name of the quantizer the decoder goes with, saved next to the model.</summary>
    public string? Quantizer { get; init; }
    /// <summary>Of <see cref="Steps"/>, how many finetuned the decoder (the rest trained the continuous model).</summary>
    public long FinetuneSteps { get; init; }
}

/// <summary>
/// A trained continuous autoencoder as one file: its options and provenance as JSON, then its weights, with a
/// trailing SHA-256. Unlike a checkpoint it holds no discriminators or optimiser state, so it stays small. It is what
/// training exports, and the id it gives a model names that model in latent sets, codecs and codes files.
/// </summary>
public static class ModelFile
{
    public const string Extension = ".model";
    const string Magic = "PRVQMODL";
    const int FormatVersion = 1;

    public static void Save(string path, Autoencoder model, ModelInfo info)
    {
        ChecksummedFile.Write(path, Magic, FormatVersion, writer =>
        {
            writer.Write(JsonSerializer.Serialize(info with { Options = model.Options }, ExperimentConfig.Json));
            model.save(writer);
        });
    }

    /// <summary>Reads a model file, or the model inside a training checkpoint.</summary>
    /// <exception cref="InvalidDataException">Missing, corrupt, foreign or incompatible file.</exception>
    public static (Autoencoder Model, ModelInfo Info) Load(string path)
    {
        if (Directory.Exists(path))
        {
            var checkpoint = Path.Combine(path, Checkpoint.FileName);
            if (!File.Exists(checkpoint))
                throw new InvalidDataException($"{path}: the folder holds no {Checkpoint.FileName}");
            return LoadFromCheckpoint(checkpoint);
        }
        if (path.EndsWith(".ckpt", StringComparison.OrdinalIgnoreCase)) return LoadFromCheckpoint(path);
        var (_, payload) = ChecksummedFile.Open(path, Magic, FormatVersion, "model");
        using (payload)
        {
            ModelInfo info;
            try
            {
                info = JsonSerializer.Deserialize<ModelInfo>(payload.ReadString(), ExperimentConfig.Json)
                    ?? throw new InvalidDataException($"{path}: the model file has no description");
                (info.Options ?? throw new InvalidDataException($"{path}: the model description has no options")).Validate();
            }
            // FormatException and IOException: a corrupt length prefix of the description string.
            catch (Exception e) when (e is JsonException or ArgumentException or FormatException or IOException)
            {
                throw new InvalidDataException($"{path}: the model description is invalid: {e.Message}", e);
            }
            Autoencoder model;
            try
            {
                model = Autoencoder.Create(info.Options);
            }
            // Options that pass validation can still ask libtorch for more memory than there is.
            catch (Exception e) when (e is ExternalException or OutOfMemoryException or ArgumentException or OverflowException)
            {
                throw new InvalidDataException($"{path}: the model's options describe a model that cannot be built: {e.Message}", e);
            }
            try
            {
                model.load(payload, strict: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException or OverflowException)
            {
                model.Dispose();
                throw new InvalidDataException($"{path}: the weights do not fit the model's options: {e.Message}", e);
            }
            model.eval();
            return (model, info);
        }
    }

    /// <summary>A model's id: the <see cref="ContentId"/> of its weights as <c>Module.save</c> writes them, in any container.</summary>
    public static string IdOf(Autoencoder model) => ContentId.Of(WeightBytes(model));

    /// <summary>The id of the model in a model file, checkpoint or run folder (see <see cref="IdOf(Autoencoder)"/>).</summary>
    /// <exception cref="InvalidDataException">Missing, corrupt, foreign or incompatible file.</exception>
    public static string IdOf(string path)
    {
        var (model, _) = Load(path);
        using (model) return IdOf(model);
    }

    /// <summary>The model's weights as <c>Module.save</c> writes them.</summary>
    internal static byte[] WeightBytes(Autoencoder model)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) model.save(writer);
        return buffer.ToArray();
    }

    static (Autoencoder, ModelInfo) LoadFromCheckpoint(string path)
    {
        var (model, info) = Checkpoint.LoadAutoencoder(path);
        model.eval();
        return (model, new ModelInfo { Options = info.Config.Model, Config = info.Config.Name, Steps = info.Step });
    }
}
