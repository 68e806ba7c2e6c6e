using System.Security.Cryptography;
using System.Text;

namespace PostRvq.IO;

/// <summary>
/// A versioned binary container: an 8-byte magic, a format version, a payload, and the SHA-256 of everything
/// before it. Checkpoints and model files use it, so a truncated, foreign or newer file is refused with a
/// message that names the file, instead of loading half a model.
/// </summary>
public static class ChecksummedFile
{
    const int HashLength = 32;

    /// <summary>Writes <paramref name="path"/> atomically: the old file survives any failure.</summary>
    public static void Write(string path, string magic, int version, Action<BinaryWriter> writePayload)
    {
        var magicBytes = MagicBytes(magic);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(magicBytes);
            writer.Write(version);
            writePayload(writer);
        }
        var hash = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Write(hash);
        AtomicFile.Write(path, stream => buffer.WriteTo(stream));
    }

    /// <summary>
    /// Verifies the file and returns its format version and a reader positioned at the payload.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is missing, truncated, corrupt, foreign or too new.</exception>
    public static (int Version, BinaryReader Payload) Open(string path, string magic, int newestVersion, string kind)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such {kind} file");
        var bytes = File.ReadAllBytes(path);
        var magicBytes = MagicBytes(magic);
        if (bytes.Length < magicBytes.Length + 4 || !bytes.AsSpan(0, magicBytes.Length).SequenceEqual(magicBytes))
            throw new InvalidDataException($"{path}: not a PostRvq {kind} file (it does not start with '{magic}')");
        if (bytes.Length < magicBytes.Length + 4 + HashLength)
            throw new InvalidDataException($"{path}: the {kind} file is truncated");
        var body = bytes.AsSpan(0, bytes.Length - HashLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
            throw new InvalidDataException($"{path}: the {kind} file is truncated or corrupt (SHA-256 mismatch)");
        var version = BitConverter.ToInt32(bytes, magicBytes.Length);
        if (version < 1 || version > newestVersion)
            throw new InvalidDataException(
                $"{path}: {kind} format version {version} is not supported (this PostRvq reads versions 1 to {newestVersion})");
        var payload = new MemoryStream(bytes, magicBytes.Length + 4, body.Length - magicBytes.Length - 4, writable: false);
        return (version, new BinaryReader(payload, Encoding.UTF8));
    }

    static byte[] MagicBytes(string magic)
    {
        var bytes = Encoding.ASCII.GetBytes(magic);
        if (bytes.Length != 8) throw new ArgumentException("The magic must be 8 ASCII characters.", nameof(magic));
        return bytes;
    }
}
