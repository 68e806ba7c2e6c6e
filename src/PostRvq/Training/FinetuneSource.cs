using PostRvq.Nn;

namespace PostRvq.Training;

/// <summary>
/// The step-1 model a finetuning run starts from, and the checkpoint whose discriminators it continues with (null
/// when only a .model file is at hand, so the discriminators start fresh).
/// </summary>
public sealed record FinetuneSource(Autoencoder Model, ModelInfo Info, string? DiscriminatorCheckpoint) : IDisposable
{
    /// <summary>Reads a .model file, a checkpoint, or a run folder holding one.</summary>
    /// <exception cref="InvalidDataException">Missing, corrupt or incompatible file.</exception>
    public static FinetuneSource Load(string path)
    {
        var (model, info) = ModelFile.Load(path);
        var checkpoint = Directory.Exists(path) ? Path.Combine(path, Checkpoint.FileName)
            : path.EndsWith(".ckpt", StringComparison.OrdinalIgnoreCase) ? path
            : null;
        return new FinetuneSource(model, info, checkpoint);
    }

    public void Dispose() => Model.Dispose();
}
