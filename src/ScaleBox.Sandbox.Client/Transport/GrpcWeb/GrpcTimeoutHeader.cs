using System;
using System.Globalization;

namespace ScaleBox.Sandbox.Client.Transport.GrpcWeb;

/// <summary>
/// The <c>grpc-timeout</c> request header: the time left to a call's deadline, so that the agent can
/// give up when the client will have. At most eight digits and a unit (the gRPC wire format).
/// </summary>
internal static class GrpcTimeoutHeader
{
    public const string Name = "grpc-timeout";

    const long MaxValue = 99_999_999;

    public static string Format(TimeSpan timeout)
    {
        long milliseconds = Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds));
        if (milliseconds <= MaxValue)
        {
            return milliseconds.ToString(CultureInfo.InvariantCulture) + "m";
        }
        long seconds = Math.Min(MaxValue, (milliseconds + 999) / 1000);
        return seconds.ToString(CultureInfo.InvariantCulture) + "S";
    }
}
