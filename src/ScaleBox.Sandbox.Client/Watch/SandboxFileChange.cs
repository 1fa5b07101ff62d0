using System;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>
/// A change to an entry of a watched directory. One change on disk can give several events
/// (a new file written at once is a Create and then a Write).
/// </summary>
public sealed class SandboxFileChange : SandboxWatchEvent
{
    public SandboxFileChange(string watchedPath, string name, SandboxChangeType changeType, DateTime timeGenerated)
        : base(watchedPath, timeGenerated)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        ChangeType = changeType;
        FullPath = IsWatchedFolder ? watchedPath : Files.SandboxPath.Join(watchedPath, name);
    }

    /// <summary>
    /// The entry's path relative to the watched directory, e.g. <c>sub/a.txt</c> on a recursive watch;
    /// <c>.</c> for the watched directory itself (its permissions changed, or it was removed or moved).
    /// </summary>
    public string Name { get; }

    /// <summary>Whether the change is to the watched directory itself rather than to an entry in it.</summary>
    public bool IsWatchedFolder => Name == ".";

    /// <summary>The entry's own name: the last segment of <see cref="Name"/> (<c>a.txt</c> for <c>sub/a.txt</c>; the directory's own name for <c>.</c>).</summary>
    public string EntryName => Files.SandboxPath.GetLeaf(FullPath);

    /// <summary>The entry's absolute sandbox path.</summary>
    public string FullPath { get; }

    public SandboxChangeType ChangeType { get; }

    public override string ToString() => $"{ChangeType} {Name}";
}
