using System.Globalization;
using System.Net;
using PostRvq.Audio;
using PostRvq.Viz;

namespace PostRvq.Interactive;

/// <summary>HTML for clips: an inline player (the WAV is embedded, so saved notebooks keep their audio) and a spectrogram.</summary>
public static class AudioHtml
{
    /// <summary>An &lt;audio controls&gt; element whose source is the clip as a base64 WAV data URL.</summary>
    public static string Player(AudioClip clip) =>
        $"<audio controls preload=\"none\" src=\"{WavData.DataUrl(clip)}\"></audio>";

    /// <summary>Duration and sample rate, e.g. "3.00 s · 24000 Hz".</summary>
    public static string Caption(AudioClip clip) =>
        string.Create(CultureInfo.InvariantCulture, $"{clip.DurationSeconds:0.00} s · {clip.SampleRate} Hz");

    /// <summary>A small log-mel spectrogram chart of the clip as an HTML fragment (draws once plotly.js is on the page).</summary>
    public static string Spectrogram(AudioClip clip, int width = 520, int height = 220) => Figures.ToHtmlFragment(Charts.Spectrogram(clip).WithSize(width, height).WithCompactMargins());

    /// <summary>A player and its caption beside the clip's spectrogram; an empty clip gets the player only.</summary>
    public static string PlayerWithSpectrogram(AudioClip clip, string? title = null)
    {
        var heading = string.IsNullOrEmpty(title) ? "" : $"<div><b>{WebUtility.HtmlEncode(title)}</b></div>";
        var spectrogram = clip.Length == 0 ? "" : $"<div>{Spectrogram(clip)}</div>";
        return $"<div class=\"postrvq-clip\" style=\"display:flex;align-items:center;gap:1em\">" +
               $"<div>{heading}{Player(clip)}<div>{Caption(clip)}</div></div>{spectrogram}</div>";
    }
}
