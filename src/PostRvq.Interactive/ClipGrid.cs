using PostRvq.Audio;

namespace PostRvq.Interactive;

/// <summary>One row of a <see cref="ClipGrid"/>: a clip's name and one version of it per grid column.</summary>
public sealed record ClipGridRow(string Name, IReadOnlyList<AudioClip> Versions);

/// <summary>
/// Clips to compare by ear and eye: rows are clips, columns are versions (original, reconstruction, a quantizer...).
/// Displayed in a notebook as a table of players with spectrograms.
/// </summary>
public sealed record ClipGrid
{
    public ClipGrid(IReadOnlyList<string> versions, IReadOnlyList<ClipGridRow>? rows = null)
    {
        if (versions.Count == 0) throw new ArgumentException("A grid needs at least one version column.", nameof(versions));
        Versions = versions;
        Rows = rows ?? [];
        foreach (var row in Rows) CheckWidth(row);
    }

    /// <summary>Column headings, one per version.</summary>
    public IReadOnlyList<string> Versions { get; }

    public IReadOnlyList<ClipGridRow> Rows { get; }

    /// <summary>A grid with one more row; it needs one clip per version.</summary>
    public ClipGrid Add(string name, params AudioClip[] versions) => new(Versions, [.. Rows, CheckWidth(new ClipGridRow(name, versions))]);

    ClipGridRow CheckWidth(ClipGridRow row) => row.Versions.Count == Versions.Count
        ? row
        : throw new ArgumentException($"Row '{row.Name}' has {row.Versions.Count} clips but the grid has {Versions.Count} versions ({string.Join(", ", Versions)}).");
}
