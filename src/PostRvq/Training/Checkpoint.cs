using System.Text.Json;
using PostRvq.Discriminators;
using PostRvq.IO;
using PostRvq.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PostRvq.Training;

/// <summary>
/// What a checkpoint says about its run, besides the weights. <paramref name="Run"/> holds trainer-specific facts
/// (such as the SHA-256 of a finetuning run's quantizer) that resume checks before loading anything.
/// </summary>
public sealed record CheckpointInfo(ExperimentConfig Config, long Step, ulong[] CropRngState, DateTime SavedUtc,
    IReadOnlyDictionary<string, string>? Run = null);

/// <summary>
/// One file with everything a run needs to continue as if never stopped: the autoencoder, the discriminators,
/// both AdamW states, the step, the crop RNG and torch RNG states, and the config. Written atomically with a
/// trailing SHA-256 (<see cref="ChecksummedFile"/>). A trainer may append its own state (an in-loop quantizer, the
/// quantizer file of a finetuning run) after the RNG state; readers that do not ask for it never read it.
/// </summary>
public static class Checkpoint
{
    public const string FileName = "checkpoint.ckpt";
    const string Magic = "PRVQCKPT";
    const int FormatVersion = 1;

    public static void Save(string path, CheckpointInfo info, Autoencoder model, Discriminator discriminator,
        OptimizerHelper generatorOptimizer, OptimizerHelper discriminatorOptimizer, Action<BinaryWriter>? writeExtra = null)
    {
        ChecksummedFile.Write(path, Magic, FormatVersion, writer =>
        {
            writer.Write(JsonSerializer.Serialize(info, ExperimentConfig.Json));
            model.save(writer);
            discriminator.save(writer);
            generatorOptimizer.save_state_dict(writer);
            discriminatorOptimizer.save_state_dict(writer);
            using var rng = torch.random.get_rng_state();
            var rngBytes = rng.data<byte>().ToArray();
            writer.Write(rngBytes.Length);
            writer.Write(rngBytes);
            writeExtra?.Invoke(writer);
        });
    }

    /// <summary>Reads only the run description (config, step) of a checkpoint.</summary>
    public static CheckpointInfo ReadInfo(string path)
    {
        var (_, payload) = ChecksummedFile.Open(path, Magic, FormatVersion, "checkpoint");
        using (payload) return ReadInfo(payload, path);
    }

    /// <summary>
    /// Builds the checkpoint's autoencoder and loads its weights, reading nothing past them: no discriminators,
    /// optimiser states or RNG state are built or touched.
    /// </summary>
    public static (Autoencoder Model, CheckpointInfo Info) LoadAutoencoder(string path)
    {
        var (_, payload) = ChecksummedFile.Open(path, Magic, FormatVersion, "checkpoint");
        using (payload)
        {
            var info = ReadInfo(payload, path);
            var model = Autoencoder.Create(info.Config.Model);
            try
            {
                model.load(payload, strict: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException)
            {
                model.Dispose();
                throw new InvalidDataException($"{path}: the checkpoint does not fit this model: {e.Message}", e);
            }
            return (model, info);
        }
    }

    /// <summary>Restores weights, optimiser states and the torch RNG in place, and returns the run description.</summary>
    public static CheckpointInfo Load(string path, Autoencoder model, Discriminator discriminator,
        OptimizerHelper generatorOptimizer, OptimizerHelper discriminatorOptimizer, Action<BinaryReader>? readExtra = null)
    {
        var (_, payload) = ChecksummedFile.Open(path, Magic, FormatVersion, "checkpoint");
        using (payload)
        {
            var info = ReadInfo(payload, path);
            try
            {
                model.load(payload, strict: true);
                discriminator.load(payload, strict: true);
                generatorOptimizer.load_state_dict(payload);
                discriminatorOptimizer.load_state_dict(payload);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException)
            {
                throw new InvalidDataException($"{path}: the checkpoint does not fit this model: {e.Message}", e);
            }
            var rngBytes = payload.ReadBytes(payload.ReadInt32());
            using var rng = tensor(rngBytes, dtype: ScalarType.Byte);
            torch.random.set_rng_state(rng);
            try
            {
                readExtra?.Invoke(payload);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException)
            {
                throw new InvalidDataException($"{path}: the checkpoint's trainer state does not fit this run: {e.Message}", e);
            }
            return info;
        }
    }

    /// <summary>
    /// Restores only the discriminators and their AdamW state from a checkpoint, so a later stage (decoder
    /// finetuning) continues the adversarial game where step 1 left it. Weights and RNG state are not touched.
    /// </summary>
    /// <returns>The run description of the checkpoint.</returns>
    public static CheckpointInfo LoadDiscriminator(string path, Discriminator discriminator, OptimizerHelper discriminatorOptimizer)
    {
        var (_, payload) = ChecksummedFile.Open(path, Magic, FormatVersion, "checkpoint");
        using (payload)
        {
            var info = ReadInfo(payload, path);
            try
            {
                // The autoencoder and its optimiser state come first; they are read into throwaway copies to reach the discriminators.
                using var skippedModel = Autoencoder.Create(info.Config.Model);
                using var skippedOptimizer = optim.AdamW(skippedModel.parameters());
                skippedModel.load(payload, strict: true);
                discriminator.load(payload, strict: true);
                skippedOptimizer.load_state_dict(payload);
                discriminatorOptimizer.load_state_dict(payload);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException)
            {
                throw new InvalidDataException($"{path}: the checkpoint's discriminators do not fit this run: {e.Message}", e);
            }
            return info;
        }
    }

    static CheckpointInfo ReadInfo(BinaryReader payload, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointInfo>(payload.ReadString(), ExperimentConfig.Json)
                ?? throw new InvalidDataException($"{path}: the checkpoint has no run description");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the checkpoint's run description is unreadable: {e.Message}", e);
        }
    }
}
