using Google.Protobuf.WellKnownTypes;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>Builds the wire description of one path. A symlink is described by what it points to.</summary>
public sealed class EntryInfoReader
{
    /// <param name="reportedPath">The path as the caller should see it (keeps the requested prefix).</param>
    /// <param name="localPath">The path on this machine.</param>
    /// <returns>Null when the path no longer exists.</returns>
    public EntryInfo? TryRead(string reportedPath, string localPath)
    {
        UnixStat? own = UnixStat.TryRead(localPath, followSymlink: false);
        if (own is null)
        {
            return null;
        }

        UnixStat stat = own.Value;
        string? symlinkTarget = null;
        if (stat.Type == UnixStat.Symlink)
        {
            symlinkTarget = new FileInfo(localPath).LinkTarget;
            // A dangling link still exists; it is described by the link itself.
            stat = UnixStat.TryRead(localPath, followSymlink: true) ?? stat;
        }

        var entry = new EntryInfo
        {
            Name = System.IO.Path.GetFileName(reportedPath.TrimEnd('/')) is { Length: > 0 } name ? name : "/",
            Path = reportedPath,
            Type = stat.Type switch
            {
                UnixStat.Directory => FileType.Directory,
                UnixStat.Symlink => FileType.Unspecified,
                _ => FileType.File,
            },
            Size = stat.Size,
            Mode = stat.Mode & 0x1FF,
            Permissions = stat.PermissionString(),
            Owner = UnixAccounts.UserName(stat.Uid),
            Group = UnixAccounts.GroupName(stat.Gid),
            ModifiedTime = Timestamp.FromDateTimeOffset(stat.ModifiedTime),
        };
        if (symlinkTarget is not null)
        {
            entry.SymlinkTarget = symlinkTarget;
        }
        return entry;
    }
}
