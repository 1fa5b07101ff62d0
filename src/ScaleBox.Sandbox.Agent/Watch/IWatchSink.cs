using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>Where a <see cref="DirectoryWatch"/> delivers: called from its reader thread only, in order.</summary>
interface IWatchSink
{
    /// <summary>
    /// One event, name relative to the watched folder. May block to slow the reader down (the
    /// kernel then queues, and overflows past its limit), but must return once <paramref name="stopping"/> fires.
    /// </summary>
    void Deliver(FilesystemEvent e, CancellationToken stopping);

    /// <summary>The kernel dropped events (IN_Q_OVERFLOW); the watch goes on.</summary>
    void Overflowed();

    /// <summary>The watch is over: stopped, or its folder went away. No call follows.</summary>
    void Ended();
}
