using System;
using ScaleBox.Sandbox.Client.Errors;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>Proto filesystem events to model types.</summary>
internal static class WatchMapping
{
    public static SandboxFileChange ToChange(this Proto.FilesystemEvent e, string watchedPath, DateTime received) =>
        new SandboxFileChange(watchedPath, e.Name, ToChangeType(e.Type), received);

    static SandboxChangeType ToChangeType(Proto.EventType type) => type switch
    {
        Proto.EventType.Create => SandboxChangeType.Create,
        Proto.EventType.Write => SandboxChangeType.Write,
        Proto.EventType.Remove => SandboxChangeType.Remove,
        Proto.EventType.Rename => SandboxChangeType.Rename,
        Proto.EventType.Chmod => SandboxChangeType.Chmod,
        _ => throw new SandboxException(SandboxErrorCode.Internal,
            $"The sandbox agent sent a file system event of an unknown type ({(int)type}).", null, null, null),
    };
}
