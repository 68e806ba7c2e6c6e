using System.Net;
using Deedle;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using PostRvq.Audio;
using PostRvq.Evaluation;
using PostRvq.Viz;

namespace PostRvq.Interactive;

/// <summary>
/// Registers PostRvq's notebook formatters: clips as players beside spectrograms, clip grids, comparison rows as
/// tables, Plotly.NET charts and Deedle frames, all as self-contained HTML. Loaded as a kernel extension from a
/// package (<c>#r "nuget: PostRvq.Interactive, X"</c>: .NET Interactive finds it in the package's
/// interactive-extensions/dotnet folder), or with <c>PostRvqKernelExtension.Load()</c> after <c>#r</c> of the dll.
/// </summary>
public sealed class PostRvqKernelExtension : IKernelExtension
{
    const string Html = "text/html";

    public Task OnLoadAsync(Kernel kernel)
    {
        KernelInvocationContext.Current?.Display(Load(), Html);
        return Task.CompletedTask;
    }

    /// <summary>Makes TorchSharp's native library load (<see cref="TorchSharpNatives"/>), registers the
    /// formatters and returns the HTML to display once: plotly.js, inlined, so that charts in the saved notebook
    /// render offline, and a line saying the extension is loaded.</summary>
    public static HtmlFragment Load()
    {
        var fixes = TorchSharpNatives.Prepare().Select(line => $"<div class=\"postrvq-fix\">{WebUtility.HtmlEncode(line)}</div>").ToList();
        RegisterFormatters();
        return new HtmlFragment(LoadedHtml() + string.Concat(fixes));
    }

    public static void RegisterFormatters()
    {
        Formatter.Register<HtmlFragment>((fragment, writer) => writer.Write(fragment.Html), Html);
        Formatter.Register<AudioClip>((clip, writer) => writer.Write(AudioHtml.PlayerWithSpectrogram(clip)), Html);
        Formatter.Register<ClipGrid>((grid, writer) => writer.Write(ClipGridHtml.Render(grid)), Html);
        Formatter.Register<IEnumerable<ComparisonRow>>((rows, writer) => writer.Write(ComparisonTableHtml.Render(rows)), Html);
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(Figures.ToHtmlFragment(chart)), Html);
        Formatter.Register(typeof(Frame<,>), (frame, writer) => writer.Write(FrameHtml(frame)), Html);
        foreach (var type in new[] { typeof(HtmlFragment), typeof(AudioClip), typeof(ClipGrid), typeof(IEnumerable<ComparisonRow>), typeof(GenericChart), typeof(Frame<,>) })
            Formatter.SetPreferredMimeTypesFor(type, Html);
    }

    static string LoadedHtml() =>
        Figures.PlotlyScriptTag + "<div class=\"postrvq-loaded\">PostRvq notebook extension loaded (plotly.js embedded for offline viewing).</div>";

    /// <summary>Deedle's Frame is generic in row and column keys; TableExport.ToHtml is called for the actual ones.</summary>
    static string FrameHtml(object frame)
    {
        var keys = frame.GetType().GetGenericArguments();
        var method = typeof(TableExport).GetMethod(nameof(TableExport.ToHtml))!.MakeGenericMethod(keys);
        return (string)method.Invoke(null, [frame, 3, ""])!;
    }
}
