using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PostRvq.IO;
using static TorchSharp.torch;

namespace PostRvq.Latents;

/// <summary>
/// A <see cref="LatentSet"/> on disk as a folder of three files, each written atomically:
/// <c>latents.safetensors</c> (tensors "frames" [N, D] F32 and "clip_frames" [C] I64, plus every field as string
/// metadata and a SHA-256 of the frames), <c>latents.npy</c> (frames only, for NumPy) and <c>latents.json</c>
/// (the metadata and clip ids, for people and other tools). Loading reads the safetensors file, which is complete
/// on its own, and checks it against its checksum.
/// </summary>
public static class LatentSetFile
{
    public const string SafetensorsName = "latents.safetensors";
    public const string NpyName = "latents.npy";
    public const string JsonName = "latents.json";
    const string Format = "postrvq-latents";
    const string FormatVersion = "1";

    public static void Save(string folder, LatentSet set)
    {
        set.Validate();
        Directory.CreateDirectory(folder);
        var metadata = Metadata(set);
        using (var clipFrames = tensor(set.ClipFrames.ToArray()))
            SafetensorsFile.Save(Path.Combine(folder, SafetensorsName), [new("frames", set.Frames), new("clip_frames", clipFrames)], metadata);
        NpyFile.Save(Path.Combine(folder, NpyName), set.Frames);
        var json = new JsonObject();
        foreach (var (key, value) in metadata.Where(m => m.Key != "clip_ids")) json[key] = value;
        json["clips"] = new JsonArray(set.ClipIds.Zip(set.ClipFrames, (id, frames) => (JsonNode)new JsonObject { ["id"] = id, ["frames"] = frames }).ToArray());
        AtomicFile.WriteAllText(Path.Combine(folder, JsonName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Loads a latent set from its folder (or from the path of its latents.safetensors).</summary>
    /// <exception cref="InvalidDataException">The folder or file is missing, truncated, corrupt or inconsistent; the message names it.</exception>
    public static LatentSet Load(string folderOrFile)
    {
        var file = Directory.Exists(folderOrFile) ? Path.Combine(folderOrFile, SafetensorsName) : folderOrFile;
        if (!File.Exists(file))
            throw new InvalidDataException(Directory.Exists(folderOrFile)
                ? $"{folderOrFile}: the folder holds no {SafetensorsName}; create it with `postrvq latents`"
                : $"{folderOrFile}: no such latent set (expected a folder made by `postrvq latents`)");
        var content = SafetensorsFile.Load(file);
        try
        {
            var meta = content.Metadata;
            if (!meta.TryGetValue("format", out var format) || format != Format)
                throw new InvalidDataException($"not a PostRvq latent set (format '{format}')");
            if (meta.GetValueOrDefault("format_version") != FormatVersion)
                throw new InvalidDataException($"latent set format version {meta.GetValueOrDefault("format_version")} is not supported (this PostRvq reads {FormatVersion})");
            var frames = content.Tensor("frames");
            var clipFrames = content.Tensor("clip_frames");
            if (frames.dim() != 2 || frames.dtype != ScalarType.Float32)
                throw new InvalidDataException($"'frames' must be [N, D] F32, got [{string.Join(", ", frames.shape)}] {frames.dtype}");
            if (clipFrames.dim() != 1 || clipFrames.dtype != ScalarType.Int64)
                throw new InvalidDataException($"'clip_frames' must be [C] I64, got [{string.Join(", ", clipFrames.shape)}] {clipFrames.dtype}");
            if (Required(meta, "frames_sha256") != FramesHash(frames))
                throw new InvalidDataException("the frames do not match their SHA-256: the file is corrupt");
            var set = new LatentSet
            {
                Frames = frames,
                FrameRate = double.Parse(Required(meta, "frame_rate"), CultureInfo.InvariantCulture),
                SampleRate = int.Parse(Required(meta, "sample_rate"), CultureInfo.InvariantCulture),
                ClipIds = JsonSerializer.Deserialize<string[]>(Required(meta, "clip_ids")) ?? [],
                ClipFrames = clipFrames.data<long>().ToArray(),
                Split = meta.GetValueOrDefault("split", Data.Corpus.NoSplit),
                Seed = int.Parse(meta.GetValueOrDefault("seed", "0"), CultureInfo.InvariantCulture),
                ModelId = meta.GetValueOrDefault("model_id", ""),
                Source = meta.GetValueOrDefault("source", ""),
            };
            clipFrames.Dispose();
            set.Validate();
            return set;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException or OverflowException or JsonException)
        {
            foreach (var value in content.Tensors.Values) value.Dispose();
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }

    static Dictionary<string, string> Metadata(LatentSet set) => new()
    {
        ["format"] = Format,
        ["format_version"] = FormatVersion,
        ["count"] = set.Count.ToString(CultureInfo.InvariantCulture),
        ["dimension"] = set.Dimension.ToString(CultureInfo.InvariantCulture),
        ["frame_rate"] = set.FrameRate.ToString("R", CultureInfo.InvariantCulture),
        ["sample_rate"] = set.SampleRate.ToString(CultureInfo.InvariantCulture),
        ["split"] = set.Split,
        ["seed"] = set.Seed.ToString(CultureInfo.InvariantCulture),
        ["model_id"] = set.ModelId,
        ["source"] = set.Source,
        ["frames_sha256"] = FramesHash(set.Frames),
        ["clip_ids"] = JsonSerializer.Serialize(set.ClipIds),
    };

    static string Required(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"the metadata has no '{key}'");

    static string FramesHash(Tensor frames) => TensorHash.Sha256([frames]);
}
