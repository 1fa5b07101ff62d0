using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Client.Mapping;

/// <summary>Wire entries to model items; the generated types go no further than this.</summary>
internal static class EntryMapping
{
    public static SandboxItem ToItem(this ScaleBox.Sandbox.Protocol.EntryInfo entry, string domain) => new SandboxItem
    {
        Name = entry.Name,
        Path = entry.Path,
        Type = ToItemType(entry.Type),
        // A directory's size is the file system's block size: no use to anyone, and it breaks
        // the usual "Length -gt 1kb" filters.
        Length = entry.Type == ScaleBox.Sandbox.Protocol.FileType.Directory ? (long?)null : entry.Size,
        UnixFileMode = entry.Mode,
        UnixMode = UnixModeText.FromGoFileMode(entry.Permissions),
        Owner = entry.Owner,
        Group = entry.Group,
        LastWriteTimeUtc = entry.ModifiedTime?.ToDateTimeOffset(),
        LinkTarget = entry.HasSymlinkTarget ? entry.SymlinkTarget : null,
        Domain = domain,
    };

    static SandboxItemType ToItemType(ScaleBox.Sandbox.Protocol.FileType type) => type switch
    {
        ScaleBox.Sandbox.Protocol.FileType.File => SandboxItemType.File,
        ScaleBox.Sandbox.Protocol.FileType.Directory => SandboxItemType.Directory,
        _ => SandboxItemType.Unknown,
    };
}
