using System;
using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Errors
{
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
                        return $"the TLS handshake with {host}:{port} failed ({tls.Message}). If the gateway's certificate "
                            + "is issued by a private CA, add that CA to the machine's trusted roots";
                }
            }
            return null;
        }

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
}
