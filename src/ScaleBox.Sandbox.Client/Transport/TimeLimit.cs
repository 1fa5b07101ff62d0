using System;
using System.Threading;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// How a time span given as a limit (a session's timeout, a silence allowance) is read: a positive
/// span limits; zero, a negative span or <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
/// </summary>
internal static class TimeLimit
{
    public static bool Limits(TimeSpan span) => span > TimeSpan.Zero && span != Timeout.InfiniteTimeSpan;
}
