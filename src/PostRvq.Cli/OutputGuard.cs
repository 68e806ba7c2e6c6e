using PostRvq.IO;
using PostRvq.Training;

namespace PostRvq.Cli;

/// <summary>
/// The one check every command makes before it writes a path the user named: no output may land on one of the
/// command's own inputs (model, checkpoint, quantizer, codec, config, latents, corpus), comparing real paths with
/// symbolic links followed. A command registers what it reads, then asks for each path it will write; a conflict is
/// refused, before any work, with one line naming the option, the path and the input it would destroy. Any other
/// existing file is replaced, atomically, by the writers (README, "Reliability").
/// </summary>
sealed class OutputGuard
{
    /// <summary>A registered input; <paramref name="IsFolder"/> means every file under it is read (a corpus, an audio folder).</summary>
    sealed record Input(string Option, string Given, string Real, bool IsFolder, string What);

    readonly List<Input> inputs = [];

    /// <summary>A file the command reads (a preset name or a path that does not exist yet is ignored).</summary>
    public OutputGuard ReadsFile(string option, string? path, string what = "input")
    {
        if (path is not null && File.Exists(path)) inputs.Add(new(option, path, RealPath.Of(path), false, what));
        return this;
    }

    /// <summary>A model given as a .model file, a checkpoint, or a run folder (whose checkpoint is what is read).</summary>
    public OutputGuard ReadsModel(string option, string? path) =>
        path is not null && Directory.Exists(path)
            ? ReadsFile(option, Path.Combine(path, Checkpoint.FileName), "checkpoint")
            : ReadsFile(option, path, Path.GetExtension(path ?? "").ToLowerInvariant() switch
            {
                ".ckpt" => "checkpoint",
                ".codec" => "codec",
                _ => "model",
            });

    /// <summary>A corpus: a folder, or a manifest whose folder holds the audio. Nothing may be written inside it.</summary>
    public OutputGuard ReadsCorpus(string option, string? path) =>
        ReadsFolder(option, path is not null && File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path)) : path, "corpus");

    /// <summary>A folder all of whose files are inputs; nothing may be written inside it.</summary>
    public OutputGuard ReadsFolder(string option, string? path, string what)
    {
        if (path is not null && Directory.Exists(path)) inputs.Add(new(option, path, RealPath.Of(path), true, what));
        return this;
    }

    /// <summary>Every file of a folder (a latent set, say); writing new files beside them is allowed.</summary>
    public OutputGuard ReadsFilesIn(string option, string? path, string what)
    {
        if (path is null) return this;
        if (!Directory.Exists(path)) return ReadsFile(option, path, what);
        foreach (var file in Directory.EnumerateFiles(path)) ReadsFile(option, file, what);
        return this;
    }

    /// <summary>Refuses <paramref name="path"/> if it is an input or lies inside an input folder; returns it unchanged.</summary>
    /// <exception cref="ArgumentException">The write would replace or change an input.</exception>
    public string WritesFile(string option, string path)
    {
        var real = RealPath.Of(path);
        foreach (var input in inputs)
        {
            if (string.Equals(real, input.Real, RealPath.Comparison))
                throw new ArgumentException($"{option} {path} would overwrite the {input.What} {input.Given} ({input.Option}){Via(path, real)}, "
                    + "which this command reads; write it somewhere else.");
            if (input.IsFolder && RealPath.IsSameOrUnder(real, input.Real))
                throw new ArgumentException($"{option} {path} is inside the {input.What} {input.Given} ({input.Option}){Via(path, real)}, "
                    + "which this command reads; write it outside that folder.");
        }
        return path;
    }

    /// <summary>
    /// Refuses a folder the command writes <paramref name="entries"/> into (files, or subfolders it replaces whole) if
    /// the folder is inside an input folder, or an entry is, or would replace, an input. Returns the folder unchanged.
    /// </summary>
    public string WritesInto(string option, string folder, params string[] entries)
    {
        var realFolder = RealPath.Of(folder);
        foreach (var input in inputs.Where(i => i.IsFolder))
            if (RealPath.IsSameOrUnder(realFolder, input.Real))
                throw new ArgumentException($"{option} {folder} is inside the {input.What} {input.Given} ({input.Option}){Via(folder, realFolder)}, "
                    + "which this command reads; choose a folder outside it.");
        foreach (var entry in entries)
        {
            var path = Path.Combine(folder, entry);
            WritesFile(option, path);
            var real = RealPath.Of(path);
            foreach (var input in inputs.Where(i => !i.IsFolder && RealPath.IsSameOrUnder(i.Real, real)))
                throw new ArgumentException($"{option} {folder} would replace {path}, which holds the {input.What} {input.Given} ({input.Option}) "
                    + "this command reads; choose another folder.");
        }
        return folder;
    }

    static string Via(string given, string real) =>
        string.Equals(Path.GetFullPath(given), real, RealPath.Comparison) ? "" : $" (through a link: {given} is {real})";
}
