using System;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>
/// A reconnecting watch lost its stream and opened a new one: changes made between
/// <see cref="Started"/> and <see cref="Ended"/> may be missing. Raised when the watch is back
/// (<see cref="SandboxWatchEvent.TimeGenerated"/> equals <see cref="Ended"/>); rescan the
/// directory if every change matters.
/// </summary>
public sealed class SandboxWatchGap : SandboxWatchEvent
{
    public SandboxWatchGap(string watchedPath, DateTime started, DateTime ended, string reason, int attempts)
        : base(watchedPath, ended)
    {
        Started = started;
        Ended = ended;
        Reason = reason ?? throw new ArgumentNullException(nameof(reason));
        Attempts = attempts;
    }

    /// <summary>When the stream was found broken (local time).</summary>
    public DateTime Started { get; }

    /// <summary>When the new stream's watch started (local time).</summary>
    public DateTime Ended { get; }

    /// <summary>Why the stream was lost, in words.</summary>
    public string Reason { get; }

    /// <summary>How many connections were tried to get the watch back (1 when the first one worked).</summary>
    public int Attempts { get; }

    public TimeSpan Duration => Ended - Started;

    public override string ToString() => $"Gap {Started:HH:mm:ss.fff}-{Ended:HH:mm:ss.fff}: {Reason}";
}
