using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Errors;

/// <summary>
/// Why a connection to the agent failed, in words a person can act on: the socket's own reason
/// (refused, a name that does not resolve, a timeout) or the TLS failure, found under the
/// wrappers the HTTP and gRPC stacks put around it ("Error connecting to subchannel.").
/// </summary>
internal static class ConnectionFailure
{
    /// <summary>The plain reason, or null when the error holds no socket or TLS failure.</summary>
    public static string? Describe(Exception? error, SandboxEndpoint endpoint)
    {
        string host = endpoint.BaseUri.Host;
        int port = endpoint.BaseUri.Port;
        for (Exception? e = error is RpcException rpc ? rpc.Status.DebugException ?? rpc.InnerException : error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Before the socket error under it: a refused connection to the proxy is not the sandbox's.
                case ProxyException proxy:
                    return proxy.Message;
                case SocketException socket:
                    return Describe(socket.SocketErrorCode, host, port) ?? socket.Message;
                case AuthenticationException tls:
                    return DescribeTls(tls, host, port);
                case GatewayException gateway:
                    return gateway.Message;
#if NET8_0_OR_GREATER
                // HTTP/2 pings a connection that has gone quiet; gRPC calls a lost one "internal".
                case System.Net.Http.HttpProtocolException protocol when protocol.Message.IndexOf("ping", StringComparison.OrdinalIgnoreCase) >= 0:
                    return $"the connection to {host}:{port} stopped answering (an HTTP/2 ping went unanswered): the agent may be frozen "
                        + "or the network path dead. The connection was dropped; the next call opens a new one";
#endif
            }
        }
        return null;
    }

    /// <summary>
    /// A failed handshake: a certificate this machine does not trust (the common case), no
    /// HTTP/2 offered by ALPN, a client certificate the gateway wanted, or a server that does not
    /// speak TLS at all (an https domain given for a plain-http port: .NET's SslStream finds no TLS
    /// record in its answer). The OpenSSL reason sits under "Authentication failed, see inner exception.".
    /// </summary>
    static string DescribeTls(AuthenticationException tls, string host, int port)
    {
        Exception innermost = tls;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }
        string reason = innermost.Message;
        if (reason.IndexOf("no application protocol", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return $"the TLS gateway at {host}:{port} does not offer HTTP/2 (ALPN h2), which -Protocol Grpc needs ({reason}). "
                + "Use -Protocol GrpcWeb with it, or a gateway that passes HTTP/2 on (nginx: listen ... ssl http2 and grpc_pass)";
        }
        if (reason.IndexOf("corrupted frame", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return $"the server at {host}:{port} does not speak TLS: its answer to the handshake was not TLS, so it is probably "
                + $"a plain-http port. If it is meant to be reached without TLS, give the domain as http://{host}:{port}";
        }
        if (reason.IndexOf("certificate required", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return $"the TLS gateway at {host}:{port} wants a client certificate ({reason}). Give one with -Certificate";
        }
        string failure = ReferenceEquals(innermost, tls) ? reason : tls.Message + " " + reason;
        return $"the TLS handshake with {host}:{port} failed ({failure}). {CertificateAdvice(failure, host)}";
    }

    /// <summary>
    /// What to do about a certificate .NET refused, from the flags and chain statuses its message
    /// lists: a name that is not the domain's, a certificate out of its dates, or (the common case,
    /// and whenever the chain's trouble is not named) an issuer this machine does not trust.
    /// </summary>
    static string CertificateAdvice(string failure, string host)
    {
        bool nameMismatch = Names(failure, "RemoteCertificateNameMismatch");
        bool outOfDate = Names(failure, "NotTimeValid");
        var advice = new List<string>();
        if (nameMismatch)
        {
            advice.Add($"The gateway's certificate is not for '{host}': check the domain");
        }
        if (outOfDate)
        {
            advice.Add("The gateway's certificate has expired or is not valid yet: check the gateway's certificate and this machine's clock");
        }
        if (advice.Count == 0 || Names(failure, "UntrustedRoot") || Names(failure, "PartialChain")
            || (Names(failure, "RemoteCertificateChainErrors") && !outOfDate))
        {
            advice.Add("If the gateway's certificate is issued by a private CA, add that CA to the machine's trusted roots");
        }
        return string.Join(". ", advice);
    }

    static bool Names(string failure, string flag) => failure.IndexOf(flag, StringComparison.Ordinal) >= 0;

    static string? Describe(SocketError code, string host, int port) => code switch
    {
        SocketError.ConnectionRefused =>
            $"the connection to {host}:{port} was refused: nothing listens there (the sandbox may be stopped, or the port is wrong)",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
            $"the name '{host}' could not be resolved (check the domain, and that this machine's DNS can see it)",
        SocketError.TimedOut =>
            $"the connection to {host}:{port} timed out (a firewall or proxy may be dropping it)",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown =>
            $"{host}:{port} is unreachable from this machine (no route to it)",
        SocketError.ConnectionReset or SocketError.ConnectionAborted =>
            $"the connection to {host}:{port} was reset",
        _ => null,
    };
}
