using PostRvq.Audio;

namespace PostRvq.Interactive;

/// <summary>Clips as 16-bit PCM WAV bytes and data URLs for inline players.</summary>
public static class WavData
{
    /// <summary>The clip as a 16-bit mono WAV file's bytes.</summary>
    public static byte[] Encode(AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        // WavWriter writes files only; going through a temporary file keeps one WAV encoder in the code base.
        var path = Path.Combine(Path.GetTempPath(), $"postrvq-{Guid.NewGuid():N}.wav");
        try
        {
            WavWriter.Write(path, clip);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary><c>data:audio/wav;base64,...</c> of the clip.</summary>
    public static string DataUrl(AudioClip clip) => "data:audio/wav;base64," + Convert.ToBase64String(Encode(clip));
}
