using Google.Protobuf.WellKnownTypes;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>
/// Builds the wire description of one path as the real agent does. A symbolic link is described by
/// the link itself (size, permissions such as <c>Lrwxrwxrwx</c>, owner, group, time), except for its
/// type and mode, which are those of what it points to; <c>symlink_target</c> is that target with
/// every link resolved (an absolute path). A link that dangles or loops has no target, and no type.
/// Anything but a regular file or a directory has no type either.
/// </summary>
public sealed class EntryInfoReader
{
    /// <param name="reportedPath">The path as the caller should see it (keeps the requested prefix).</param>
    /// <param name="localPath">The path on this machine.</param>
    /// <returns>Null when the path no longer exists.</returns>
    public EntryInfo? TryRead(string reportedPath, string localPath) => TryRead(reportedPath, localPath, out _);

    /// <returns>Null when the path cannot be read, with lstat's errno (<see cref="UnixStat.NoSuchFile"/> when it does not exist).</returns>
    public EntryInfo? TryRead(string reportedPath, string localPath, out int errno)
    {
        if (UnixStat.TryRead(localPath, followSymlink: false, out errno) is not { } own)
        {
            return null;
        }

        UnixStat typed = own;
        string? symlinkTarget = null;
        if (own.Type == UnixStat.Symlink
            && RealPath.TryResolve(localPath) is { } resolved
            && UnixStat.TryRead(resolved, followSymlink: false) is { } target)
        {
            symlinkTarget = resolved;
            typed = target;
        }

        var entry = new EntryInfo
        {
            Name = System.IO.Path.GetFileName(reportedPath.TrimEnd('/')) is { Length: > 0 } name ? name : "/",
            Path = reportedPath,
            Type = typed.Type switch
            {
                UnixStat.Directory => FileType.Directory,
                UnixStat.Regular => FileType.File,
                _ => FileType.Unspecified,
            },
            Size = own.Size,
            Mode = typed.Mode & 0x1FF,
            Permissions = own.PermissionString(),
            Owner = UnixAccounts.UserName(own.Uid),
            Group = UnixAccounts.GroupName(own.Gid),
            ModifiedTime = Timestamp.FromDateTimeOffset(own.ModifiedTime),
        };
        if (symlinkTarget is not null)
        {
            entry.SymlinkTarget = symlinkTarget;
        }
        return entry;
    }
}
