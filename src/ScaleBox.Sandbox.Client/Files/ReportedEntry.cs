namespace ScaleBox.Sandbox.Client.Files;

/// <summary>
/// The entry an agent answers a Move or MakeDir with, taken as the item written only when it is
/// whole. The spec gives those answers a full EntryInfo, but the official clients read only its
/// name, type and path, so an agent may leave the rest empty; a caller that needs the item then
/// asks for it (Stat) as before.
/// </summary>
public static class ReportedEntry
{
    /// <returns><paramref name="entry"/> when it carries what a Stat would (a known type, a path, a modification time); otherwise null.</returns>
    public static SandboxItem? IfWhole(SandboxItem? entry) =>
        entry is { Type: not SandboxItemType.Unknown, LastWriteTimeUtc: not null } && entry.Path.Length > 0 ? entry : null;
}
