using System;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>
/// The agent watches the directory: every change from now on is reported. Comes first, once per
/// watch (a reconnecting watch reports later starts as the end of a <see cref="SandboxWatchGap"/>).
/// </summary>
public sealed class SandboxWatchStarted : SandboxWatchEvent
{
    public SandboxWatchStarted(string watchedPath, bool recursive, DateTime timeGenerated)
        : base(watchedPath, timeGenerated)
    {
        Recursive = recursive;
    }

    /// <summary>Whether subdirectories are watched too.</summary>
    public bool Recursive { get; }

    public override string ToString() => $"Watching {WatchedPath}";
}
