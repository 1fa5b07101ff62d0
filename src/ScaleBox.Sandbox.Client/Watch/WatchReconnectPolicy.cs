using System;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>Which failures a reconnecting watch rides out, and how long it pauses between tries.</summary>
internal static class WatchReconnectPolicy
{
    /// <summary>
    /// A dropped stream (transport error, agent unavailable, a cut or silent connection) is worth
    /// another try; an answer about the request itself (no such directory, not a directory, a bad
    /// token, not allowed, not supported) would only be repeated.
    /// </summary>
    public static bool IsRetryable(SandboxException error) => error.Code switch
    {
        SandboxErrorCode.NotFound => false,
        SandboxErrorCode.InvalidArgument => false,
        SandboxErrorCode.Unauthenticated => false,
        SandboxErrorCode.PermissionDenied => false,
        SandboxErrorCode.Cancelled => false,
        SandboxErrorCode.Unimplemented => false,
        SandboxErrorCode.FailedPrecondition => false,
        _ => true,
    };

    /// <summary>The pause before attempt <paramref name="attempt"/> (1-based): doubling from the first delay, capped.</summary>
    public static TimeSpan DelayBefore(int attempt, SandboxWatchOptions options)
    {
        double factor = Math.Pow(2, Math.Min(attempt - 1, 20));
        double ticks = Math.Min(options.FirstReconnectDelay.Ticks * factor, options.MaxReconnectDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
