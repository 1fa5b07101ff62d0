using System;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>How a streamed directory watch behaves.</summary>
public sealed class SandboxWatchOptions
{
    /// <summary>What the official SDKs ask for (in seconds) in the Keepalive-Ping-Interval header.</summary>
    public static readonly TimeSpan DefaultKeepaliveInterval = TimeSpan.FromSeconds(50);

    /// <summary>Watch subdirectories too, including ones created later.</summary>
    public bool Recursive { get; set; }

    /// <summary>
    /// Which changes come through, asked of the changed entry's own name (the last segment of
    /// <see cref="SandboxFileChange.Name"/>): false drops the change. Null lets every change through;
    /// starts and gaps always come.
    /// </summary>
    public Func<string, bool>? NameFilter { get; set; }

    /// <summary>
    /// How often the agent sends a keepalive on an idle stream (whole seconds, at least 1). A stream
    /// silent for two intervals is taken as dropped once the watch has started; its start, the
    /// answer to the request, is due within the session's timeout, as any answer is.
    /// </summary>
    public TimeSpan KeepaliveInterval { get; set; } = DefaultKeepaliveInterval;

    /// <summary>
    /// Open a new stream when this one is dropped (a transport error, the agent unavailable, a cut
    /// connection, a silent stream), reporting the time lost as a <see cref="SandboxWatchGap"/>.
    /// Errors that a retry cannot fix (not found, invalid argument, a bad token) still end the watch.
    /// </summary>
    public bool Reconnect { get; set; }

    /// <summary>How many failed reconnection attempts in a row end the watch (0: never give up).</summary>
    public int MaxReconnectAttempts { get; set; } = 10;

    /// <summary>The first pause before reconnecting; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan FirstReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);
}
