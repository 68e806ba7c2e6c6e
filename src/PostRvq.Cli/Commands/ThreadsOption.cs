using System.CommandLine;

namespace PostRvq.Cli.Commands;

/// <summary>
/// The <c>--threads</c> option of every command that runs torch. It takes at least 1: libtorch aborts on 0 in native
/// code, so 0 is refused here, and leaving the option out means all cores.
/// </summary>
static class ThreadsOption
{
    /// <summary>The option; without <paramref name="defaultThreads"/>, omitting it leaves torch on all cores.</summary>
    public static Option<int?> Create(int? defaultThreads = null)
    {
        var option = new Option<int?>("--threads")
        {
            Description = defaultThreads is { } n ? $"Torch CPU threads, at least 1 (default: {n})" : "Torch CPU threads, at least 1 (default: all cores)",
        };
        if (defaultThreads is { } threads) option.DefaultValueFactory = _ => threads;
        return option;
    }

    /// <summary>Sets torch's thread count when the option was given (or has a default); refuses fewer than 1 by name.</summary>
    public static void Apply(ParseResult parse, Option<int?> option)
    {
        if (parse.GetValue(option) is not { } threads) return;
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, not {threads}; leave it out to use all cores");
        TorchSharp.torch.set_num_threads(threads);
    }
}
