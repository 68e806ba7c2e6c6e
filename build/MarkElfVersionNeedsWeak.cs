#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
#if !ELF_VERSION_NEEDS_ONLY
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// MSBuild task: sets VER_FLG_WEAK on chosen version needs (e.g. GLIBCXX_3.4.32) of the given ELF shared libraries
/// (see <see cref="ElfVersionNeeds"/>), so a missing version is a loader warning, not an error.
/// </summary>
public class MarkElfVersionNeedsWeak : Task
{
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string Versions { get; set; } = "";

    public override bool Execute()
    {
        var wanted = new HashSet<string>(
            Versions.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim()));
        foreach (var path in Files.Select(f => f.GetMetadata("FullPath")).Distinct())
        {
            if (!File.Exists(path)) continue;
            try
            {
                var changed = ElfVersionNeeds.MarkWeak(path, wanted);
                if (changed == null)
                    Log.LogMessage(MessageImportance.Normal, $"GLIBCXX fix: {path} is not 64-bit little-endian ELF; left alone");
                else if (changed.Length > 0)
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
}
#endif

/// <summary>
/// Sets VER_FLG_WEAK on chosen version needs in the .gnu.version_r section of 64-bit little-endian ELF shared
/// libraries. Shared by the build (the MSBuild task above) and by PostRvq.Interactive at run time, for notebooks whose
/// package restore runs no build step.
/// </summary>
static class ElfVersionNeeds
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>Marks the wanted version needs weak, in place and idempotently; returns the versions it changed, or
    /// null when the file is not a 64-bit little-endian ELF file (left untouched).</summary>
    public static string[]? MarkWeak(string path, ISet<string> wanted)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F'
            || elf[4] != 2 || elf[5] != 1)
            return null;
        var shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        var changed = new List<(long Offset, string Name)>();
        for (var s = 0; s < shnum; s++)
        {
            var sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            var offset = BitConverter.ToInt64(elf, (int)sh + 24);
            var link = (int)BitConverter.ToUInt32(elf, (int)sh + 40);
            var count = (int)BitConverter.ToUInt32(elf, (int)sh + 44);
            var strtab = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 24);
            var need = offset;
            for (var n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                var aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    var flags = BitConverter.ToUInt16(elf, (int)aux + 4);
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
        var end = (int)at;
        while (elf[end] != 0) end++;
        return Encoding.ASCII.GetString(elf, (int)at, end - (int)at);
    }
}
