using System.CommandLine;
using PostRvq.Codecs;
using PostRvq.Latents;

namespace PostRvq.Cli.Commands;

/// <summary>The <c>--chunk-seconds</c> option of every command that runs a model over whole files, range-checked in one place.</summary>
static class ChunkOption
{
    public static Option<double> Create() => new("--chunk-seconds")
    {
        Description = $"Chunk length in seconds for long files: more than 0, at most {ChunkingOptions.MaxChunkSeconds:0}",
        DefaultValueFactory = _ => new ChunkingOptions().ChunkSeconds,
    };

    /// <summary>The chunking for <paramref name="seconds"/>, or an error naming the option when it is out of range.</summary>
    public static ChunkingOptions Chunking(double seconds) =>
        seconds > 0 && seconds <= ChunkingOptions.MaxChunkSeconds
            ? new ChunkingOptions { ChunkSeconds = seconds }
            : throw new ArgumentException($"--chunk-seconds must be more than 0 and at most {ChunkingOptions.MaxChunkSeconds:0}, not {seconds}");
}
