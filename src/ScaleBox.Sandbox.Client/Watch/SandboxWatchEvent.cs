using System;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>
/// One event of a directory watch, in the order the agent sent them: <see cref="SandboxWatchStarted"/>
/// once the agent watches, then <see cref="SandboxFileChange"/>s, and, on a reconnecting watch,
/// a <see cref="SandboxWatchGap"/> where the stream was cut and opened again. The agent's
/// keepalives are consumed by the library.
/// </summary>
public abstract class SandboxWatchEvent
{
    private protected SandboxWatchEvent(string watchedPath, DateTime timeGenerated)
    {
        WatchedPath = watchedPath ?? throw new ArgumentNullException(nameof(watchedPath));
        TimeGenerated = timeGenerated;
    }

    /// <summary>The directory being watched, as an absolute sandbox path.</summary>
    public string WatchedPath { get; }

    /// <summary>When the event reached this client (local time), as PowerShell's own events are stamped.</summary>
    public DateTime TimeGenerated { get; }
}
