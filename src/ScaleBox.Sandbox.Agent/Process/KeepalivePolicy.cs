using System.Globalization;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// How long a process stream may stay silent before a <c>keepalive</c> event: the seconds in the
/// <c>Keepalive-Ping-Interval</c> request header, or 90 s when it is absent or not a positive
/// whole number (the real agent's rule).
/// </summary>
public static class KeepalivePolicy
{
    public const string Header = "keepalive-ping-interval";
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(90);

    /// <summary>Larger intervals are capped; a timer cannot hold them and no stream lives that long.</summary>
    static readonly long MaxSeconds = (long)TimeSpan.FromDays(24).TotalSeconds;

    public static TimeSpan From(ServerCallContext context) => Parse(context.RequestHeaders.GetValue(Header));

    public static TimeSpan Parse(string? value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds) && seconds > 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, MaxSeconds))
            : Default;
}
