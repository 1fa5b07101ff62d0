using System;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Watch;

/// <summary>
/// $EventArgs of a Register-SbxWatcher event: a change (Name, FullPath, ChangeType), a Gap
/// (<see cref="Gap"/> set), or the end of the watch (ChangeType Failed, <see cref="Error"/> set).
/// </summary>
public sealed class SbxWatcherEventArgs : EventArgs
{
    SbxWatcherEventArgs(SbxSession session, string watchedPath, SbxWatcherChangeType changeType, DateTime timeGenerated,
        string? name, string? fullPath, SandboxWatchGap? gap, SandboxException? error)
    {
        Session = session;
        WatchedPath = watchedPath;
        ChangeType = changeType;
        TimeGenerated = timeGenerated;
        Name = name;
        FullPath = fullPath;
        Gap = gap;
        Error = error;
    }

    internal static SbxWatcherEventArgs Of(SbxSession session, SandboxFileChange change) =>
        new SbxWatcherEventArgs(session, change.WatchedPath, (SbxWatcherChangeType)(int)change.ChangeType, change.TimeGenerated,
            change.Name, change.FullPath, null, null);

    internal static SbxWatcherEventArgs Of(SbxSession session, SandboxWatchGap gap) =>
        new SbxWatcherEventArgs(session, gap.WatchedPath, SbxWatcherChangeType.Gap, gap.TimeGenerated, null, null, gap, null);

    internal static SbxWatcherEventArgs Of(SbxSession session, string watchedPath, SandboxException error) =>
        new SbxWatcherEventArgs(session, watchedPath, SbxWatcherChangeType.Failed, DateTime.Now, null, null, null, error);

    /// <summary>The entry's path relative to the watched directory; null for a Gap or Failed event.</summary>
    public string? Name { get; }

    /// <summary>The entry's absolute sandbox path; null for a Gap or Failed event.</summary>
    public string? FullPath { get; }

    public SbxWatcherChangeType ChangeType { get; }

    /// <summary>When the event reached this computer (local time).</summary>
    public DateTime TimeGenerated { get; }

    /// <summary>The watched directory (absolute).</summary>
    public string WatchedPath { get; }

    /// <summary>The session of the sandbox watched.</summary>
    public SbxSession Session { get; }

    /// <summary>For a Gap: when the stream was lost and when it was back, and why.</summary>
    public SandboxWatchGap? Gap { get; }

    /// <summary>For Failed: why the watch ended.</summary>
    public SandboxException? Error { get; }

    public override string ToString() => Name is null ? $"{ChangeType} {WatchedPath}" : $"{ChangeType} {Name}";
}
