using System.Collections.Generic;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>
/// What one drain of a polled watcher returned, and what it says was lost since the last drain:
/// changes dropped because the watcher's queue was full, or a kernel queue overflow (then an
/// unknown number was lost). The real agent says nothing of losses; the local agent does.
/// </summary>
public sealed class SandboxWatcherDrain
{
    public SandboxWatcherDrain(IReadOnlyList<SandboxFileChange> changes, long droppedCount, bool overflowed)
    {
        Changes = changes;
        DroppedCount = droppedCount;
        Overflowed = overflowed;
    }

    public IReadOnlyList<SandboxFileChange> Changes { get; }

    /// <summary>The oldest changes dropped since the last drain, past the watcher's bound.</summary>
    public long DroppedCount { get; }

    /// <summary>The kernel's event queue overflowed: changes were lost, how many is unknown.</summary>
    public bool Overflowed { get; }

    public bool LostChanges => DroppedCount > 0 || Overflowed;
}
