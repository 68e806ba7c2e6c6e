using NLayer;

namespace PostRvq.Audio;

/// <summary>
/// Decodes MPEG-1/2/2.5 audio (layers I to III) with NLayer. Does not trim the encoder delay/padding that a LAME
/// header records, so a decoded file is a few hundred samples longer than the audio that was encoded.
/// </summary>
static class Mp3Decoder
{
    public static bool LooksLikeMp3(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith("ID3"u8) || (bytes.Length >= 2 && bytes[0] == 0xFF && (bytes[1] & 0xE0) == 0xE0);

    public static AudioClip Decode(string path, byte[] bytes)
    {
        try
        {
            using var mpeg = new MpegFile(new MemoryStream(bytes, writable: false));
            var channels = mpeg.Channels;
            if (channels <= 0 || mpeg.SampleRate <= 0)
            {
                throw new AudioFormatException(path, "not an MP3 file: no MPEG audio frames found");
            }
            var downmix = new InterleavedDownmix(channels, 0);
            var buffer = new float[4608 * channels];
            int read;
            while ((read = mpeg.ReadSamples(buffer, 0, buffer.Length)) > 0)
            {
                downmix.Append(buffer.AsSpan(0, read));
            }
            var samples = downmix.ToArray();
            if (samples.Length == 0)
            {
                throw new AudioFormatException(path, "not an MP3 file: no MPEG audio frames decoded");
            }
            return new AudioClip(samples, mpeg.SampleRate);
        }
        catch (Exception e) when (e is not AudioFormatException)
        {
            throw new AudioFormatException(path, $"cannot decode MP3 ({e.Message})", e);
        }
    }
}
