using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Client.Mapping
{
    /// <summary>Wire entries to model items; the generated types go no further than this.</summary>
    internal static class EntryMapping
    {
        public static SandboxItem ToItem(this ScaleBox.Sandbox.Protocol.EntryInfo entry, string domain) => new SandboxItem
        {
            Name = entry.Name,
            Path = entry.Path,
            Type = entry.Type switch
            {
                ScaleBox.Sandbox.Protocol.FileType.File => SandboxItemType.File,
                ScaleBox.Sandbox.Protocol.FileType.Directory => SandboxItemType.Directory,
                _ => SandboxItemType.Unknown,
            },
            Length = entry.Size,
            Mode = entry.Mode,
            UnixMode = entry.Permissions,
            Owner = entry.Owner,
            Group = entry.Group,
            LastWriteTimeUtc = entry.ModifiedTime?.ToDateTimeOffset(),
            LinkTarget = entry.HasSymlinkTarget ? entry.SymlinkTarget : null,
            Domain = domain,
        };
    }
}
