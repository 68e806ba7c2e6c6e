using PostRvq.Training;
using Spectre.Console;

namespace PostRvq.Cli;

/// <summary>Shows training events as a Spectre.Console progress bar, or as periodic lines when output is not a terminal.</summary>
static class TrainingProgress
{
    public static T Show<T>(long totalSteps, long startStep, Func<IProgress<TrainStep>, T> run)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return run(new SynchronousProgress<TrainStep>(step =>
            {
                if (step.IsValidation || step.Step % 50 == 0 || step.Step == totalSteps)
                    Console.WriteLine(Describe(step));
            }));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: totalSteps);
                task.Value = startStep;
                result = run(new SynchronousProgress<TrainStep>(step =>
                {
                    task.Value = step.Step;
                    task.Description = Markup.Escape(Describe(step));
                    if (step.IsValidation) AnsiConsole.MarkupLine(Markup.Escape(Describe(step)));
                }));
            });
        return result;
    }

    static string Describe(TrainStep step)
    {
        if (step.Validation is { } v)
            return $"step {step.Step} validation: mel {v.Mel:F3} stft {v.Stft:F3} si-sdr {v.SiSdr:F1} dB snr {v.Snr:F1} dB";
        var losses = string.Join(" ", step.Losses.Where(l => l.Key != "loss").Select(l => $"{l.Key} {l.Value:F3}"));
        return $"step {step.Step}/{step.TotalSteps} {losses} | {step.StepsPerSecond:F2} steps/s, ETA {step.Eta:hh\\:mm\\:ss}";
    }
}
