using System;
using System.Globalization;
using System.Threading;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// How a time span given as a limit (a session's timeout, a silence allowance) is read: a positive
/// span limits; zero, a negative span or <see cref="Timeout.InfiniteTimeSpan"/> means no limit. And
/// how the messages that report one say it.
/// </summary>
internal static class TimeLimit
{
    public static bool Limits(TimeSpan span) => span > TimeSpan.Zero && span != Timeout.InfiniteTimeSpan;

    /// <summary>A limit as the messages say it: "2.5 s", to the millisecond, whatever the culture.</summary>
    public static string InSeconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
