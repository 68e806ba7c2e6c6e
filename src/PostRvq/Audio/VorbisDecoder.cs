using NVorbis;

namespace PostRvq.Audio;

/// <summary>Decodes the first logical stream of an Ogg Vorbis file with NVorbis. Does not handle Opus or FLAC in Ogg.</summary>
static class VorbisDecoder
{
    public static bool LooksLikeOgg(ReadOnlySpan<byte> bytes) => bytes.StartsWith("OggS"u8);

    public static AudioClip Decode(string path, byte[] bytes)
    {
        try
        {
            using var reader = new VorbisReader(new MemoryStream(bytes, writable: false), closeOnDispose: true);
            var channels = reader.Channels;
            if (channels <= 0 || reader.SampleRate <= 0)
            {
                throw new AudioFormatException(path, $"corrupt Ogg Vorbis header: {channels} channels at {reader.SampleRate} Hz");
            }
            var downmix = new InterleavedDownmix(channels, reader.TotalSamples);
            var buffer = new float[4096 * channels];
            int read;
            while ((read = reader.ReadSamples(buffer, 0, buffer.Length)) > 0)
            {
                downmix.Append(buffer.AsSpan(0, read));
            }
            return new AudioClip(downmix.ToArray(), reader.SampleRate);
        }
        catch (Exception e) when (e is not AudioFormatException)
        {
            throw new AudioFormatException(path, $"cannot decode Ogg Vorbis ({e.Message})", e);
        }
    }
}
