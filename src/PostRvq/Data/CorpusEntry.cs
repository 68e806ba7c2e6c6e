namespace PostRvq.Data;

/// <summary>One audio file of a corpus, as one line of <c>manifest.jsonl</c> describes it.</summary>
/// <param name="Id">Unique name, e.g. "music/hedgewars-xyz-000".</param>
/// <param name="Path">File path relative to the manifest's folder (an absolute path is used as is).</param>
/// <param name="Split">"train", "valid" or "test"; "all" for a plain folder of audio files.</param>
/// <param name="Category">Kind of audio, e.g. "music" or "speech"; may be empty.</param>
/// <param name="Licence">Licence of the source, e.g. "GPL-2"; "unknown" when not stated.</param>
/// <param name="Package">Package the source came from; may be empty.</param>
/// <param name="Source">Original file the clip was cut from; may be empty.</param>
/// <param name="SourceSampleRate">Sample rate of the source in Hz; 0 when unknown.</param>
/// <param name="Duration">Length in seconds; 0 when unknown.</param>
public sealed record CorpusEntry(
    string Id,
    string Path,
    string Split,
    string Category,
    string Licence,
    string Package,
    string Source,
    int SourceSampleRate,
    double Duration);
