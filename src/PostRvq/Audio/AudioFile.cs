namespace PostRvq.Audio;

/// <summary>
/// Reads WAV, Ogg Vorbis and MP3 files as mono <see cref="AudioClip"/>s. The container is recognised by its magic
/// bytes first and by its extension only when the bytes are inconclusive (an MP3 with leading junk), so a
/// mis-named file still decodes. Every failure is an <see cref="AudioFormatException"/> naming the file.
/// </summary>
public static class AudioFile
{
    public static IReadOnlyList<string> SupportedExtensions { get; } = [".wav", ".ogg", ".oga", ".mp3"];

    /// <summary>
    /// The largest sample magnitude a file may hold. Float audio may overshoot full scale (±1) a little, after gain or
    /// resampling; four times full scale is a broken file or a wrong scale, such as integers stored as floats.
    /// </summary>
    public const float MaxSampleMagnitude = 4f;

    public static bool HasSupportedExtension(string path) =>
        SupportedExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads a file at its own sample rate, averaging all channels to mono.</summary>
    /// <exception cref="AudioFormatException">
    /// The file is missing, empty, corrupt, not audio, unsupported, or holds NaN/infinite samples or samples beyond
    /// ±<see cref="MaxSampleMagnitude"/>: such a file is refused, not rescaled, so no score is computed on a guess.
    /// </exception>
    public static AudioClip Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var clip = ReadWav(path, wav => wav.ReadAll()) ?? Decode(path, ReadBytes(path));
        var range = new SampleRangeCheck(path);
        range.Check(clip.Samples);
        range.RequirePeakInRange();
        return clip;
    }

    /// <summary>Reads a file and resamples it to <paramref name="targetSampleRate"/> with <see cref="Resampler"/>.</summary>
    /// <exception cref="AudioFormatException">As for <see cref="Read(string)"/>.</exception>
    public static AudioClip Read(string path, int targetSampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetSampleRate);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadWav(path, wav => wav.SampleRate == targetSampleRate ? null : ResampleWhileDecoding(path, wav, targetSampleRate))
            ?? Resampler.Resample(Read(path), targetSampleRate);
    }

    /// <summary>
    /// A WAV resampled block by block as it is decoded, so its samples at its own rate are never all in memory (an
    /// hour of 44.1 kHz is 635 MB of mono floats, against 346 MB at 24 kHz).
    /// </summary>
    static AudioClip ResampleWhileDecoding(string path, WavMonoStream wav, int targetSampleRate)
    {
        var range = new SampleRangeCheck(path);
        var samples = Resampler.Resample(wav.MonoBlocks().Select(range.Check), wav.Frames, wav.SampleRate, targetSampleRate);
        range.RequirePeakInRange();
        return new AudioClip(samples, targetSampleRate);
    }

    /// <summary>
    /// <paramref name="decode"/> of a file whose first bytes say WAV, decoded from a stream so its bytes are never all in
    /// memory (an hour of 44.1 kHz stereo is 635 MB); null for any other file, which is read whole.
    /// </summary>
    static AudioClip? ReadWav(string path, Func<WavMonoStream, AudioClip?> decode)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            var head = new byte[12];
            var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (!WavDecoder.LooksLikeWav(head.AsSpan(0, read)))
            {
                return null;
            }
            stream.Position = 0;
            using var wav = WavDecoder.Open(path, stream);
            return decode(wav);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot read file ({e.Message})", e);
        }
    }

    static byte[] ReadBytes(string path)
    {
        if (Directory.Exists(path))
        {
            throw new AudioFormatException(path, "is a folder, not an audio file");
        }
        if (!File.Exists(path))
        {
            throw new AudioFormatException(path, "file not found");
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot read file ({e.Message})", e);
        }
        if (bytes.Length == 0)
        {
            throw new AudioFormatException(path, "file is empty (0 bytes)");
        }
        return bytes;
    }

    static AudioClip Decode(string path, byte[] bytes)
    {
        if (WavDecoder.LooksLikeWav(bytes))
        {
            return WavDecoder.Decode(path, new MemoryStream(bytes, writable: false));
        }
        if (VorbisDecoder.LooksLikeOgg(bytes))
        {
            return VorbisDecoder.Decode(path, bytes);
        }
        if (Mp3Decoder.LooksLikeMp3(bytes))
        {
            return Mp3Decoder.Decode(path, bytes);
        }
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".wav" => WavDecoder.Decode(path, new MemoryStream(bytes, writable: false)),
            ".ogg" or ".oga" => throw new AudioFormatException(path, "not an Ogg file: no OggS capture pattern"),
            ".mp3" => Mp3Decoder.Decode(path, bytes),
            _ => throw new AudioFormatException(path, "not a supported audio file (expected WAV, Ogg Vorbis or MP3 content)"),
        };
    }
}
