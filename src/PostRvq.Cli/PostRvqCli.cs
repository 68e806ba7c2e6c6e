using System.CommandLine;
using PostRvq.Cli.Commands;

namespace PostRvq.Cli;

/// <summary>The <c>postrvq</c> command line; tests call <see cref="Run"/> in process.</summary>
public static class PostRvqCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("postrvq: post-training quantization of neural audio codecs");
        root.Options.Add(CliErrors.CreateVerboseOption());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(FinetuneCommand.Create());
        root.Subcommands.Add(E2ECommand.Create());
        root.Subcommands.Add(ReconstructCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(AnchorCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(BundleCommand.Create());
        root.Subcommands.Add(EncodeCommand.Create());
        root.Subcommands.Add(DecodeCommand.Create());
        root.Subcommands.Add(LatentsCommand.Create());
        root.Subcommands.Add(QuantizeCommand.Create());
        root.Subcommands.Add(ConvertQuantizerCommand.Create());
        root.Subcommands.Add(ClaimsCommand.Create());
        root.Subcommands.Add(PipelineCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; every error ends as one line on stderr and exit code 1 (see <see cref="CliErrors"/>).</summary>
    public static int Run(string[] args) => CliErrors.Invoke(Build().Parse(args));
}
