using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Sets VER_FLG_WEAK on chosen version needs (e.g. GLIBCXX_3.4.32) in the .gnu.version_r section of
/// 64-bit little-endian ELF shared libraries, so a missing version is a loader warning, not an error.
/// Does not handle 32-bit or big-endian ELF files; it leaves them untouched and says so.
/// </summary>
public class MarkElfVersionNeedsWeak : Task
{
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string Versions { get; set; } = "";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        var wanted = new System.Collections.Generic.HashSet<string>(
            Versions.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim()));
        foreach (var path in Files.Select(f => f.GetMetadata("FullPath")).Distinct())
        {
            if (!File.Exists(path)) continue;
            try
            {
                var changed = Patch(path, wanted);
                if (changed.Length > 0)
                    Log.LogMessage(MessageImportance.High, $"GLIBCXX fix: marked {string.Join(", ", changed)} weak in {path}");
                else
                    Log.LogMessage(MessageImportance.Low, $"GLIBCXX fix: {path} needs no change");
            }
            catch (IOException e)
            {
                Log.LogWarning($"GLIBCXX fix: could not patch {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    string[] Patch(string path, System.Collections.Generic.HashSet<string> wanted)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            return Array.Empty<string>();
        if (elf[4] != 2 || elf[5] != 1)
        {
            Log.LogMessage(MessageImportance.Normal, $"GLIBCXX fix: {path} is not 64-bit little-endian ELF; left alone");
            return Array.Empty<string>();
        }
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        var changed = new System.Collections.Generic.List<(long Offset, string Name)>();
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = BitConverter.ToInt64(elf, (int)sh + 24);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 40);
            int count = (int)BitConverter.ToUInt32(elf, (int)sh + 44);
            long strtab = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 24);
            long need = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    var name = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    if (wanted.Contains(name) && (flags & VerFlgWeak) == 0)
                    {
                        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                        changed.Add((aux + 4, name));
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        if (changed.Count == 0) return Array.Empty<string>();
        // Rewrite only the flag bytes, so a concurrent reader never sees a half-written library.
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            foreach (var (at, _) in changed)
            {
                stream.Position = at;
                stream.Write(elf, (int)at, 2);
            }
        return changed.Select(c => c.Name).ToArray();
    }

    static string ReadString(byte[] elf, long at)
    {
        int end = (int)at;
        while (elf[end] != 0) end++;
        return Encoding.ASCII.GetString(elf, (int)at, end - (int)at);
    }
}
