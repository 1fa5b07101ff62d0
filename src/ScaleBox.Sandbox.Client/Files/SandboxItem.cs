using System;

namespace ScaleBox.Sandbox.Client.Files;

/// <summary>A file or directory in a sandbox, as the agent describes it.</summary>
public sealed class SandboxItem
{
    public string Name { get; init; } = string.Empty;

    /// <summary>The full path in the sandbox.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>The full path, under the name FileSystemInfo gives it.</summary>
    public string FullName => Path;

    /// <summary>The name without its extension, as FileInfo.BaseName in PowerShell (a directory keeps its whole name).</summary>
    public string BaseName => IsDirectory ? Name : System.IO.Path.GetFileNameWithoutExtension(Name);

    /// <summary>The extension with its dot (<c>.log</c>), or empty; as FileSystemInfo.Extension.</summary>
    public string Extension => System.IO.Path.GetExtension(Name);

    /// <summary>The directory that holds the item.</summary>
    public string DirectoryName => SandboxPath.GetParent(Path);

    public SandboxItemType Type { get; init; }

    public bool IsDirectory => Type == SandboxItemType.Directory;

    /// <summary>
    /// Size in bytes for a file; null for a directory, as a DirectoryInfo has no Length, so that
    /// <c>Where-Object Length -gt 1kb</c> selects files only.
    /// </summary>
    public long? Length { get; init; }

    /// <summary>
    /// The mode as Get-ChildItem shows it on Linux and macOS: <c>d----</c> for a directory,
    /// <c>l----</c> for a symbolic link (one that points nowhere too), <c>-----</c> for a file. The
    /// permissions are in UnixMode.
    /// </summary>
    public string Mode => IsDirectory ? "d----" : LinkTarget != null || UnixMode.StartsWith("l", StringComparison.Ordinal) ? "l----" : "-----";

    /// <summary>The permission bits as a number, e.g. 0o644 (420).</summary>
    public uint UnixFileMode { get; init; }

    /// <summary>The mode as text, as <c>ls -l</c> writes it: e.g. <c>-rw-r--r--</c>, <c>drwxr-xr-x</c>, <c>lrwxrwxrwx</c>, <c>-rwsr-xr-x</c>.</summary>
    public string UnixMode { get; init; } = string.Empty;

    public string Owner { get; init; } = string.Empty;

    public string Group { get; init; } = string.Empty;

    public DateTimeOffset? LastWriteTimeUtc { get; init; }

    /// <summary>Last write time in the local time zone, as Get-ChildItem shows it.</summary>
    public DateTime? LastWriteTime => LastWriteTimeUtc?.LocalDateTime;

    /// <summary>Where a symbolic link points; null for anything else.</summary>
    public string? LinkTarget { get; init; }

    /// <summary>The sandbox domain this item was read from.</summary>
    public string? Domain { get; init; }

    public override string ToString() => Path;
}
