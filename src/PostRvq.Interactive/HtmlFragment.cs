namespace PostRvq.Interactive;

/// <summary>
/// Markup to show as it is. The notebook hosts carry an older Microsoft.AspNetCore.Html.Abstractions than the
/// mirror serves, so this assembly avoids HtmlString (a reference to the newer one fails to load there) and
/// registers a text/html formatter for this record instead.
/// </summary>
public sealed record HtmlFragment(string Html)
{
    public override string ToString() => Html;
}
