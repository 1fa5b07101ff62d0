using System;

namespace ScaleBox.Sandbox.Client.Files
{
    /// <summary>A file or directory in a sandbox, as the agent describes it.</summary>
    public sealed class SandboxItem
    {
        public string Name { get; init; } = string.Empty;

        /// <summary>The full path in the sandbox.</summary>
        public string Path { get; init; } = string.Empty;

        /// <summary>The directory that holds the item.</summary>
        public string DirectoryName => SandboxPath.GetParent(Path);

        public SandboxItemType Type { get; init; }

        public bool IsDirectory => Type == SandboxItemType.Directory;

        /// <summary>Size in bytes.</summary>
        public long Length { get; init; }

        /// <summary>Permission bits, e.g. 0o644.</summary>
        public uint Mode { get; init; }

        /// <summary>The mode as text, e.g. <c>-rw-r--r--</c> or <c>drwxr-xr-x</c>.</summary>
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
}
