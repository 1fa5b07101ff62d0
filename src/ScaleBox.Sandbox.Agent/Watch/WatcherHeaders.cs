namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>
/// Response headers of GetWatcherEvents that say what a drain is missing; the schema's response has
/// only the events, so loss travels beside them. Present only when something was lost.
/// </summary>
public static class WatcherHeaders
{
    /// <summary>How many of the oldest events were dropped since the last drain because the watcher's queue was full (a decimal count).</summary>
    public const string DroppedEvents = "sbx-watcher-dropped-events";

    /// <summary>"true" when the kernel's inotify queue overflowed since the last drain: an unknown number of events is missing.</summary>
    public const string Overflow = "sbx-watcher-overflow";
}
