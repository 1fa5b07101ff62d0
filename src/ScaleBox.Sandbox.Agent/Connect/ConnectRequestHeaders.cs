using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Primitives;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>What a Connect request's headers say about the call: its time limit and its metadata.</summary>
internal sealed record ConnectRequestHeaders(TimeSpan? Timeout, Metadata Metadata)
{
    public const string ProtocolVersionHeader = "Connect-Protocol-Version";
    public const string TimeoutHeader = "Connect-Timeout-Ms";

    // The longest delay a CancellationTokenSource timer takes (about 49 days); longer limits never end a call anyway.
    static readonly TimeSpan LongestTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <exception cref="RpcException">invalid_argument for a protocol version other than 1, a malformed timeout or binary header.</exception>
    public static ConnectRequestHeaders Read(HttpRequest request)
    {
        // Connect clients send version 1; curl users, and the API doc's examples, send none. Only a
        // version this endpoint does not speak is refused.
        StringValues version = request.Headers[ProtocolVersionHeader];
        if (version.Count > 0 && version != "1")
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"{ProtocolVersionHeader} must be 1, not \"{version}\""));
        }
        return new ConnectRequestHeaders(ParseTimeout(request.Headers[TimeoutHeader]), ConnectMetadata.FromHeaders(request.Headers));
    }

    /// <summary>The spec's grammar: 1 to 10 ASCII digits, in milliseconds.</summary>
    static TimeSpan? ParseTimeout(StringValues header)
    {
        if (header.Count == 0)
        {
            return null;
        }
        string text = header.ToString();
        if (text.Length is < 1 or > 10 || !text.All(char.IsAsciiDigit))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"{TimeoutHeader} must be a whole number of milliseconds (at most 10 digits), not \"{text}\""));
        }
        TimeSpan timeout = TimeSpan.FromMilliseconds(long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture));
        return timeout < LongestTimeout ? timeout : LongestTimeout;
    }
}
