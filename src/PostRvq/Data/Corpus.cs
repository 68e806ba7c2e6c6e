using PostRvq.Audio;

namespace PostRvq.Data;

/// <summary>
/// A set of audio files with train/valid/test splits, described by a <c>manifest.jsonl</c> (one JSON object per line, fields as in <see cref="CorpusEntry"/>,
/// snake_case: id, path, split, category, licence, package, source, source_sample_rate, duration)
/// or given as a plain folder of audio files.
/// </summary>
/// <remarks>
/// A plain folder has no splits: its entries get split <see cref="NoSplit"/> and <see cref="Split"/> returns all of them
/// whatever the name, so one folder can serve for training and for evaluation.
/// </remarks>
public sealed class Corpus
{
    public const string ManifestFileName = "manifest.jsonl";
    public const string NoSplit = "all";

    Corpus(string root, string description, IReadOnlyList<CorpusEntry> entries, bool hasSplits)
    {
        Root = root;
        Description = description;
        Entries = entries;
        HasSplits = hasSplits;
    }

    /// <summary>Folder that entry paths are relative to.</summary>
    public string Root { get; }

    /// <summary>The manifest or folder the corpus came from, plus the split when narrowed; used in messages.</summary>
    public string Description { get; }

    public IReadOnlyList<CorpusEntry> Entries { get; }

    /// <summary>False for a plain folder of audio files.</summary>
    public bool HasSplits { get; }

    /// <summary>
    /// Loads a folder containing manifest.jsonl, a .jsonl manifest file, or a plain folder of audio files (searched
    /// recursively, in ordinal path order, skipping names that start with ".").
    /// </summary>
    /// <exception cref="CorpusException">The path is missing, the manifest is malformed or names a missing file, or there are no entries.</exception>
    public static Corpus Load(string folderOrManifest)
    {
        ArgumentException.ThrowIfNullOrEmpty(folderOrManifest);
        var fullPath = Path.GetFullPath(folderOrManifest);
        if (File.Exists(fullPath))
        {
            if (!fullPath.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            {
                throw new CorpusException($"{fullPath}: expected a folder or a .jsonl manifest");
            }
            return FromManifest(fullPath);
        }
        if (!Directory.Exists(fullPath))
        {
            throw new CorpusException($"{fullPath}: corpus not found (no such folder or manifest)");
        }
        var manifest = Path.Combine(fullPath, ManifestFileName);
        return File.Exists(manifest) ? FromManifest(manifest) : FromPlainFolder(fullPath);
    }

    /// <summary>The entries of split <paramref name="name"/> ("train", "valid", "test"); a plain folder returns itself.</summary>
    /// <exception cref="CorpusException">The split has no entries.</exception>
    public Corpus Split(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!HasSplits)
        {
            return this;
        }
        var entries = Entries.Where(e => e.Split == name).ToList();
        if (entries.Count == 0)
        {
            var present = string.Join(", ", Entries.Select(e => e.Split).Distinct());
            throw new CorpusException($"{Description}: split \"{name}\" has no entries (splits present: {present})");
        }
        return new Corpus(Root, $"{Description} [{name}]", entries, HasSplits);
    }

    public string FullPath(CorpusEntry entry) => Path.Combine(Root, entry.Path);

    /// <summary>Reads one entry as mono audio at <paramref name="sampleRate"/>.</summary>
    /// <exception cref="AudioFormatException">The file cannot be decoded.</exception>
    public AudioClip LoadClip(CorpusEntry entry, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return AudioFile.Read(FullPath(entry), sampleRate);
    }

    /// <summary>Reads every entry, in manifest order, as mono audio at <paramref name="sampleRate"/>.</summary>
    public IReadOnlyList<AudioClip> LoadAll(int sampleRate) => Entries.Select(e => LoadClip(e, sampleRate)).ToList();

    /// <summary>
    /// Reads every k-th entry, with k chosen so that about <paramref name="seconds"/> of audio (at least that much, when
    /// there is that much) comes back spread over the whole list, so a statistic of a large split need not read it all.
    /// </summary>
    public IReadOnlyList<AudioClip> LoadSpread(double seconds, int sampleRate)
    {
        if (seconds <= 0) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "The audio to read must be positive.");
        var total = Entries.Sum(e => e.Duration);
        var stride = Math.Max(1, (int)Math.Floor(total / seconds));
        return Entries.Where((_, i) => i % stride == 0).Select(e => LoadClip(e, sampleRate)).ToList();
    }

    static Corpus FromManifest(string manifestPath)
    {
        var entries = ManifestReader.Read(manifestPath);
        if (entries.Count == 0)
        {
            throw new CorpusException($"{manifestPath}: the manifest has no entries");
        }
        return new Corpus(Path.GetDirectoryName(manifestPath)!, manifestPath, entries, hasSplits: true);
    }

    static Corpus FromPlainFolder(string folder)
    {
        var entries = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(AudioFile.HasSupportedExtension)
            .Select(file => Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(relative => !relative.Split('/').Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .Select(relative => PlainEntry(folder, relative))
            .ToList();
        if (entries.Count == 0)
        {
            throw new CorpusException($"{folder}: no {ManifestFileName} and no audio files ({string.Join(" ", AudioFile.SupportedExtensions)})");
        }
        return new Corpus(folder, folder, entries, hasSplits: false);
    }

    static CorpusEntry PlainEntry(string folder, string relativePath)
    {
        var slash = relativePath.IndexOf('/');
        return new CorpusEntry(
            Id: Path.ChangeExtension(relativePath, null),
            Path: relativePath,
            Split: NoSplit,
            Category: slash < 0 ? "" : relativePath[..slash],
            Licence: "unknown",
            Package: "",
            Source: Path.Combine(folder, relativePath),
            SourceSampleRate: 0,
            Duration: 0);
    }
}
