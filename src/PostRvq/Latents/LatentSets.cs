using PostRvq.Audio;
using PostRvq.Data;
using PostRvq.Nn;
using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Latents;

/// <summary>
/// Builds <see cref="LatentSet"/>s, the latent datasets of post-training quantization: every clip encoded by the
/// frozen continuous model (in chunks that give the frames of whole-clip encoding), one <see cref="NewDisposeScope"/>
/// per clip, with progress per clip.
/// </summary>
public static class LatentSets
{
    /// <summary>Encodes in-memory clips (at the model's sample rate); ids default to "clip-000", "clip-001", ...</summary>
    public static LatentSet Encode(Autoencoder model, IReadOnlyList<AudioClip> clips, IReadOnlyList<string>? ids = null,
        LatentEncodingOptions? options = null, IProgress<LatentProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (ids is not null && ids.Count != clips.Count)
            throw new ArgumentException($"{ids.Count} ids for {clips.Count} clips.", nameof(ids));
        return EncodeEach(model, clips.Count, i => (ids?[i] ?? $"clip-{i:D3}", clips[i]), options ?? new(), progress);
    }

    /// <summary>Encodes every entry of <paramref name="corpus"/>, reading one file at a time.</summary>
    public static LatentSet Encode(Autoencoder model, Corpus corpus, LatentEncodingOptions? options = null, IProgress<LatentProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        options ??= new LatentEncodingOptions { Source = corpus.Description };
        var sampleRate = model.Options.SampleRate;
        return EncodeEach(model, corpus.Entries.Count, i => (corpus.Entries[i].Id, corpus.LoadClip(corpus.Entries[i], sampleRate)), options, progress);
    }

    /// <summary>
    /// Loads the model at <paramref name="modelPath"/> and encodes split <paramref name="split"/> of the corpus at
    /// <paramref name="corpusPath"/> ("all" for every entry); the set records the model's id and the corpus.
    /// </summary>
    public static LatentSet FromFiles(string modelPath, string corpusPath, string split, LatentEncodingOptions? options = null,
        IProgress<LatentProgress>? progress = null)
    {
        var corpus = Corpus.Load(corpusPath);
        if (split != Corpus.NoSplit) corpus = corpus.Split(split);
        var (model, _) = ModelFile.Load(modelPath);
        using (model)
        {
            options = (options ?? new()) with { Split = split, ModelId = ModelFile.IdOf(model), Source = corpus.Description };
            return Encode(model, corpus, options, progress);
        }
    }

    static LatentSet EncodeEach(Autoencoder model, int count, Func<int, (string Id, AudioClip Clip)> load, LatentEncodingOptions options,
        IProgress<LatentProgress>? progress)
    {
        var chosen = Choose(count, options);
        if (chosen.Count == 0) throw new ArgumentException("There are no clips to encode.");
        var ids = new List<string>(chosen.Count);
        var clipFrames = new List<long>(chosen.Count);
        var parts = new List<float[]>(chosen.Count);
        foreach (var index in chosen)
        {
            using var scope = NewDisposeScope();
            var (id, clip) = load(index);
            var frames = LatentCodec.Encode(model, clip, options.Chunking).squeeze(0).t().contiguous();
            parts.Add(frames.data<float>().ToArray());
            ids.Add(id);
            clipFrames.Add(frames.shape[0]);
            progress?.Report(new LatentProgress(ids.Count, chosen.Count, id, frames.shape[0]));
        }
        var all = new float[parts.Sum(p => (long)p.Length)];
        long offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(all, offset);
            offset += part.Length;
        }
        var set = new LatentSet
        {
            Frames = tensor(all, [clipFrames.Sum(), model.Options.LatentDim]),
            FrameRate = model.Options.FrameRate,
            SampleRate = model.Options.SampleRate,
            ClipIds = ids,
            ClipFrames = clipFrames,
            Split = options.Split,
            Seed = options.Seed,
            ModelId = options.ModelId,
            Source = options.Source,
        };
        set.Validate();
        return set;
    }

    /// <summary>All clip indices, or MaxClips of them drawn with the seed, in their original order.</summary>
    static List<int> Choose(int count, LatentEncodingOptions options)
    {
        if (options.MaxClips is not { } max || max >= count) return [.. Enumerable.Range(0, count)];
        if (max < 1) throw new ArgumentException($"MaxClips must be positive, got {max}.", nameof(options));
        var indices = Enumerable.Range(0, count).ToArray();
        new Random(options.Seed).Shuffle(indices);
        return [.. indices.Take(max).Order()];
    }
}
