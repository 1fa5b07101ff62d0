using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Errors;

/// <summary>
/// Turns whatever a call threw (an RPC status, a socket error, a timeout) into one
/// <see cref="SandboxException"/> with a message a person can act on.
/// </summary>
internal sealed class ErrorTranslator
{
    readonly SandboxEndpoint _endpoint;
    readonly AccessToken _token;

    public ErrorTranslator(SandboxEndpoint endpoint, AccessToken token)
    {
        _endpoint = endpoint;
        _token = token;
    }

    /// <param name="error">What the call threw.</param>
    /// <param name="operation">What was being done, e.g. "list directory".</param>
    /// <param name="target">The path or pid the call was about.</param>
    /// <param name="cancellation">The caller's token: a cancellation it asked for stays an OperationCanceledException.</param>
    public Exception Translate(Exception error, string operation, string? target, CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested && IsCancellation(error))
        {
            return new OperationCanceledException(cancellation);
        }

        switch (error)
        {
            case SandboxException:
                return error;
            // A socket or TLS failure under any status (Unavailable, or Internal when the HTTP stack wrapped it).
            case RpcException rpc when ConnectionFailure.Describe(rpc, _endpoint) is string reason:
                return Unreachable(reason, operation, target, rpc);
            // A gateway that could not reach the agent (a stopped, paused or starting sandbox): said as
            // the Connect transport and the file endpoints say it, not as a server that is no agent.
            case RpcException rpc when GatewayFailure(rpc) is HttpStatusCode gateway:
                return FromStatus(SandboxErrorCode.Unavailable, $"HTTP {(int)gateway} {gateway}", operation, target, rpc);
            // 401 and 403 are the agent's own answers (a wrong token); a 404 page or a wrong content type are not.
            case RpcException rpc when rpc.StatusCode is StatusCode.Unimplemented or StatusCode.Internal or StatusCode.Unknown or StatusCode.Unavailable
                && IsNotAnAgentAnswer(rpc.Status.Detail):
                return NotAnAgent(rpc.Status.Detail, operation, target, rpc);
            case RpcException rpc:
                return FromStatus((SandboxErrorCode)(int)rpc.StatusCode, rpc.Status.Detail, operation, target, rpc);
            case HttpRequestException http when ConnectionFailure.Describe(http, _endpoint) is string reason:
                return Unreachable(reason, operation, target, http);
            case HttpRequestException http:
                return FromStatus(SandboxErrorCode.Unavailable, Innermost(http).Message, operation, target, http);
            case OperationCanceledException timeout:
                return FromStatus(SandboxErrorCode.DeadlineExceeded, null, operation, target, timeout);
            default:
                return error;
        }
    }

    /// <summary>A connection that could not be made, with its reason in the module's own words (not redacted: no server wrote them).</summary>
    SandboxException Unreachable(string reason, string operation, string? target, Exception inner)
    {
        string subject = target is null ? operation : $"{operation} '{target}'";
        return new SandboxException(SandboxErrorCode.Unavailable,
            $"Cannot reach the sandbox agent at {_endpoint} to {subject}: {reason}.",
            null, target, _endpoint.Domain, _token.OccursIn(inner) ? null : inner);
    }

    /// <summary>
    /// Whatever answered is not a sandbox agent (a web page, a 404), or not one on this
    /// protocol: Unavailable, since no call to this address can succeed either.
    /// </summary>
    SandboxException NotAnAgent(string detail, string operation, string? target, Exception inner)
    {
        string subject = target is null ? operation : $"{operation} '{target}'";
        return new SandboxException(SandboxErrorCode.Unavailable,
            $"The server at {_endpoint} did not answer {subject} as a sandbox agent does ({_token.Redact(detail)}): it is not a sandbox agent, "
            + "or not one that speaks this session's protocol. Check the domain, and the session's -Protocol: GrpcWeb and Connect need an HTTP/1.1 port, Grpc an HTTP/2 one.",
            _token.Redact(detail), target, _endpoint.Domain, _token.OccursIn(inner) ? null : inner);
    }

    public SandboxException FromStatus(SandboxErrorCode code, string? serverMessage, string operation, string? target, Exception? inner)
    {
        string? detail = string.IsNullOrEmpty(serverMessage) ? null : EchoedText.Detail(_token.Redact(serverMessage));
        string? quoted = target is null ? null : EchoedText.Value(target);
        string subject = quoted is null ? operation : $"{operation} '{quoted}'";
        string domain = _endpoint.Domain;
        string message = code switch
        {
            SandboxErrorCode.Unauthenticated =>
                $"The sandbox agent at '{domain}' rejected the access token. Check that the token belongs to this sandbox (its envd_access_token).",
            SandboxErrorCode.Unavailable =>
                $"Cannot reach the sandbox agent at {_endpoint} to {subject}: {detail ?? "the connection failed"}. Check that the sandbox is running and the domain is right.",
            SandboxErrorCode.DeadlineExceeded =>
                $"The sandbox agent at '{domain}' did not answer in time to {subject}. Raise the session's timeout if the operation is slow.",
            SandboxErrorCode.NotFound when quoted is not null =>
                $"Cannot find '{quoted}' in the sandbox: {detail ?? "not found"}.",
            SandboxErrorCode.AlreadyExists when quoted is not null =>
                $"'{quoted}' already exists in the sandbox.",
            SandboxErrorCode.PermissionDenied =>
                $"Permission denied to {subject}: {detail ?? "the agent refused"}.",
            SandboxErrorCode.Unimplemented =>
                $"The sandbox agent at '{domain}' does not support the call to {subject}{(detail is null ? "" : ": " + detail)}.",
            _ =>
                $"Failed to {subject} ({SandboxException.ToWireName(code)}){(detail is null ? "." : ": " + detail)}",
        };
        // Only the server's words can hold the token; the module's own wording must stay readable
        // even when a short token happens to occur in it. An inner exception that carries the
        // token unredacted is dropped rather than kept for debugging.
        bool innerLeaks = _token.OccursIn(inner);
        return new SandboxException(code, message, detail, target, domain, innerLeaks ? null : inner);
    }

    /// <summary>
    /// An answer no sandbox agent gives: a web page or a 404 where a gRPC response belongs
    /// (Grpc.Net.Client: "Bad gRPC response"; the Connect transport: "Bad Connect response"), or HTTP/1.1 where HTTP/2 was spoken.
    /// HTTP/1.1 to an HTTP/2 client reads as one of two .NET errors, depending on whether its reader
    /// rejected the bytes before or after the call took the new connection: "sent invalid data", or
    /// "did not complete the HTTP/2 handshake" (a reset or refusal under it is found earlier, by <see cref="ConnectionFailure"/>).
    /// A server that knows HTTP/2 but serves only HTTP/1.1 on the port (Kestrel) says so with GOAWAY HTTP_1_1_REQUIRED.
    /// </summary>
    static bool IsNotAnAgentAnswer(string? detail) =>
        detail is not null && (detail.Contains("Bad gRPC response") || detail.Contains(Transport.Connect.ConnectStatus.BadResponse)
            || detail.Contains("HTTP/2 server sent invalid data") || detail.Contains("did not complete the HTTP/2 handshake")
            || detail.Contains("HTTP_1_1_REQUIRED"));

    /// <summary>
    /// An HTTP status where a gRPC response belongs that Grpc.Net.Client itself maps to Unavailable
    /// (429, 502, 503, 504), worded "Bad gRPC response. HTTP status code: 502": a gateway's answer,
    /// since an agent answers gRPC with 200. The Connect transport maps the same statuses to Unavailable.
    /// </summary>
    static HttpStatusCode? GatewayFailure(RpcException rpc)
    {
        const string prefix = "Bad gRPC response. HTTP status code: ";
        string? detail = rpc.Status.Detail;
        if (rpc.StatusCode != StatusCode.Unavailable || detail is null || !detail.StartsWith(prefix, StringComparison.Ordinal)
            || !int.TryParse(detail.Substring(prefix.Length).Split(' ', '.')[0], out int http))
        {
            return null;
        }
        return (HttpStatusCode)http;
    }

    static bool IsCancellation(Exception error) =>
        error is OperationCanceledException || (error is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled);

    static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null)
        {
            error = error.InnerException;
        }
        return error;
    }
}
