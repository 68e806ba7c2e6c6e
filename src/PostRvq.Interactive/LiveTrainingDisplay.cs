using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using PostRvq.Training;

namespace PostRvq.Interactive;

/// <summary>
/// An <see cref="IProgress{T}"/> of training steps that keeps one notebook output up to date in place
/// (DisplayedValue.Update) with the status and a small loss chart. Reports run synchronously on the training
/// thread; the output is redrawn at most every <see cref="MinimumInterval"/>, and always on validation and on the last step.
/// </summary>
public sealed class LiveTrainingDisplay : IProgress<TrainStep>
{
    readonly Action<string> update;
    readonly List<TrainStep> steps = [];
    readonly Stopwatch sinceUpdate = Stopwatch.StartNew();

    /// <param name="update">Receives the new HTML; in a notebook, <see cref="Show"/> passes DisplayedValue.Update.</param>
    public LiveTrainingDisplay(Action<string> update) => this.update = update;

    /// <summary>Some hosts (dotnet-repl) save every update as its own output, so updates are spaced out.</summary>
    public TimeSpan MinimumInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Every step reported so far, for plotting the training curve afterwards.</summary>
    public IReadOnlyList<TrainStep> Steps => steps;

    /// <summary>Shows the display in the running notebook cell and returns it, ready to pass to a trainer.</summary>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static LiveTrainingDisplay Show()
    {
        var context = KernelInvocationContext.Current
            ?? throw new InvalidOperationException("LiveTrainingDisplay.Show must be called from a notebook cell.");
        var displayed = context.Display(new HtmlFragment(TrainingStatusHtml.Render([])), "text/html");
        return new LiveTrainingDisplay(html => displayed.Update(new HtmlFragment(html)));
    }

    public void Report(TrainStep value)
    {
        steps.Add(value);
        if (value.IsValidation || value.Step >= value.TotalSteps || sinceUpdate.Elapsed >= MinimumInterval)
        {
            update(TrainingStatusHtml.Render(steps));
            sinceUpdate.Restart();
        }
    }
}
