using PostRvq.Pipeline;
using Spectre.Console;

namespace PostRvq.Cli;

/// <summary>
/// One overall Spectre.Console display for a pipeline: a bar over all stages with a total ETA, a bar for the
/// current stage, and a summary table at the end. Without a terminal it prints one line per stage event.
/// </summary>
static class PipelineDisplay
{
    public static IReadOnlyList<StageOutcome> Run(IReadOnlyList<PipelineStage> stages, Func<IPipelineObserver, IReadOnlyList<StageOutcome>> run)
    {
        IReadOnlyList<StageOutcome> outcomes;
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            outcomes = run(new LineObserver());
        else
        {
            outcomes = [];
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context => outcomes = run(new BarObserver(context, stages.Count)));
        }
        AnsiConsole.Write(Summary(outcomes));
        return outcomes;
    }

    /// <summary>Plain lines only, for runs whose stages draw progress displays of their own.</summary>
    public static IReadOnlyList<StageOutcome> RunPlain(IReadOnlyList<PipelineStage> stages, Func<IPipelineObserver, IReadOnlyList<StageOutcome>> run)
    {
        var outcomes = run(new LineObserver());
        AnsiConsole.Write(Summary(outcomes));
        return outcomes;
    }

    static Table Summary(IReadOnlyList<StageOutcome> outcomes)
    {
        var table = new Table().AddColumns("stage", "what", "status", "time", "outputs");
        foreach (var o in outcomes)
            table.AddRow(o.Name, Markup.Escape(o.Title), o.Skipped ? "[grey]up to date[/]" : "[green]ran[/]",
                o.Skipped ? "-" : $"{o.Elapsed.TotalSeconds:F1} s", Markup.Escape(Path.GetRelativePath(Environment.CurrentDirectory, o.Folder)));
        return table;
    }

    sealed class BarObserver(ProgressContext context, int stageCount) : IPipelineObserver
    {
        readonly ProgressTask overall = context.AddTask("[bold]pipeline[/]", maxValue: stageCount);
        ProgressTask? current;
        int index;

        public void StageStarting(int index, int count, PipelineStage stage, bool skipping)
        {
            this.index = index;
            current = context.AddTask(Markup.Escape($"{index + 1}/{count} {stage.Title}") + (skipping ? " [grey](up to date)[/]" : ""), maxValue: 1);
            overall.Value = index;
        }

        public void StageProgress(PipelineStage stage, StageProgress progress)
        {
            if (current is null) return;
            current.Value = Math.Clamp(progress.Fraction, 0, 1);
            current.Description = Markup.Escape($"{index + 1}/{stageCount} {stage.Title}: {progress.Detail}");
            overall.Value = index + current.Value;
        }

        public void StageFinished(StageOutcome outcome)
        {
            if (current is not null) current.Value = 1;
            overall.Value = index + 1;
        }
    }

    sealed class LineObserver : IPipelineObserver
    {
        double lastReported = -1;

        public void StageStarting(int index, int count, PipelineStage stage, bool skipping)
        {
            lastReported = -1;
            Console.WriteLine($"[{index + 1}/{count}] {stage.Title}{(skipping ? ": up to date, skipped" : "")}");
        }

        public void StageProgress(PipelineStage stage, StageProgress progress)
        {
            // A tenth at a time keeps logs readable when output goes to a file.
            if (progress.Fraction - lastReported < 0.1 && progress.Fraction < 1) return;
            lastReported = progress.Fraction;
            Console.WriteLine($"    {progress.Fraction:P0} {progress.Detail}");
        }

        public void StageFinished(StageOutcome outcome)
        {
            if (!outcome.Skipped) Console.WriteLine($"    done in {outcome.Elapsed.TotalSeconds:F1} s");
        }
    }
}
