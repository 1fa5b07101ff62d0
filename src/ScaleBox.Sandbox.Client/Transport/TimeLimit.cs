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

    /// <summary>The time left to a call's deadline (negative once passed); null when it has none (absent or <see cref="DateTime.MaxValue"/>).</summary>
    public static TimeSpan? LeftUntil(DateTime? deadline) =>
        deadline is DateTime due && due != DateTime.MaxValue ? due.ToUniversalTime() - DateTime.UtcNow : null;

    /// <summary>
    /// Sets <paramref name="source"/> to cancel after <paramref name="span"/>, or after the longest a
    /// token source allows (about 24.8 days) when the span is longer: a session's timeout may be.
    /// </summary>
    public static void CancelAfter(CancellationTokenSource source, TimeSpan span) =>
        source.CancelAfter(span.TotalMilliseconds >= int.MaxValue ? TimeSpan.FromMilliseconds(int.MaxValue) : span);
}
