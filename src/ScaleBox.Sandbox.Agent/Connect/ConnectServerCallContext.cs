using System.Net.Sockets;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// The ServerCallContext a service gets for a call that came in over Connect: the request's headers
/// as metadata, the Connect deadline and its cancellation, and the HttpContext where
/// <c>GetHttpContext()</c> looks for it. Services cannot tell it from a gRPC call's context.
/// </summary>
internal sealed class ConnectServerCallContext : ServerCallContext
{
    // Grpc.AspNetCore's GetHttpContext() looks under this key for contexts it did not create itself.
    const string HttpContextKey = "__HttpContext";

    readonly HttpContext _http;
    Dictionary<object, object>? _userState;
    bool _responseHeadersWritten;

    public ConnectServerCallContext(HttpContext http, string method, ConnectRequestHeaders headers, CancellationToken cancellationToken)
    {
        _http = http;
        MethodCore = method;
        PeerCore = FormatPeer(http.Connection);
        DeadlineCore = headers.Timeout is { } timeout ? DateTime.UtcNow + timeout : DateTime.MaxValue;
        RequestHeadersCore = headers.Metadata;
        CancellationTokenCore = cancellationToken;
    }

    protected override string MethodCore { get; }

    protected override string HostCore => _http.Request.Host.Value ?? string.Empty;

    protected override string PeerCore { get; }

    protected override DateTime DeadlineCore { get; }

    protected override Metadata RequestHeadersCore { get; }

    protected override CancellationToken CancellationTokenCore { get; }

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    // Loopback HTTP without client certificates: no authenticated peer, as in Grpc.AspNetCore.
    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override IDictionary<object, object> UserStateCore => _userState ??= new() { [HttpContextKey] = _http };

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("Calls served over Connect do not propagate their context to outgoing calls.");

    /// <summary>Connect has no header frame of its own: the headers leave with the first bytes of the body.</summary>
    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        if (_responseHeadersWritten || _http.Response.HasStarted)
        {
            throw new InvalidOperationException("Response headers can only be sent once per call.");
        }
        _responseHeadersWritten = true;
        ConnectMetadata.AddToHeaders(_http.Response.Headers, responseHeaders);
        return Task.CompletedTask;
    }

    // Spelled as gRPC spells peers, e.g. "ipv4:127.0.0.1:50123".
    static string FormatPeer(ConnectionInfo connection) => connection.RemoteIpAddress switch
    {
        null => "unknown",
        { AddressFamily: AddressFamily.InterNetworkV6 } address => $"ipv6:[{address}]:{connection.RemotePort}",
        var address => $"ipv4:{address}:{connection.RemotePort}",
    };
}
