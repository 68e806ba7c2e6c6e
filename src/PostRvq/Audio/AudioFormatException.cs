namespace PostRvq.Audio;

/// <summary>
/// The one exception for any audio input that cannot be read: a missing or empty file, a corrupt or
/// truncated header, a file that is not audio, an unsupported encoding, or non-finite samples.
/// </summary>
public sealed class AudioFormatException : Exception
{
    public AudioFormatException(string path, string reason, Exception? innerException = null)
        : base($"{path}: {reason}", innerException)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file that could not be read.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Reason { get; }
}
