using System;
using System.Net.Http;
#if NET8_0_OR_GREATER
using System.IO;
using System.Net;
using System.Net.Security;
using System.Threading;
using System.Threading.Tasks;
using System.Security.Cryptography.X509Certificates;
#endif

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>The socket-level handler shared by the RPC channel and the plain HTTP endpoints of one client.</summary>
internal static class HttpHandlerFactory
{
    public static HttpMessageHandler Create(SandboxClientOptions options)
    {
        ProxyRoute route = ProxyRoute.For(options);
#if NET8_0_OR_GREATER
        var handler = new SocketsHttpHandler
        {
            // A dead host fails within the session's timeout instead of the OS default of minutes.
            ConnectTimeout = options.Timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            EnableMultipleHttp2Connections = true,
            // A download on HTTP/2 starts from a 64 KiB stream window and grows it only as the
            // round-trip estimate allows; bulk data wants a large window from the first byte.
            InitialHttp2StreamWindowSize = 8 * 1024 * 1024,
            // Detects a silently dropped HTTP/2 connection while calls are on it: every call of the
            // session shares that one connection, so until it is dropped each new call waits out
            // its deadline. After 10 s without a frame a ping goes out, and 10 s without its answer
            // drop the connection (not less: an agent on a starved machine may be slow, not gone).
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        bool tunnel = route.Proxy is { Scheme: "http" } && options.Protocol == SandboxProtocol.Grpc && options.Endpoint.BaseUri.Scheme == Uri.UriSchemeHttp;
        Func<DnsEndPoint, CancellationToken, ValueTask<Stream>> open;
        if (tunnel)
        {
            // Cleartext HTTP/2 cannot be forwarded as a request: it goes through a tunnel of our own.
            handler.UseProxy = false;
            open = (endPoint, cancellationToken) => ProxyTunnel.ConnectAsync(endPoint, route, cancellationToken);
        }
        else
        {
            handler.Proxy = route.Settings;
            handler.UseProxy = route.Settings is not null;
            // A connect callback of our own also keeps the gRPC channel from taking the handler
            // over for its subchannels, which connect straight to the sandbox past any proxy.
            open = (endPoint, cancellationToken) => ProxyTunnel.OpenAsync(endPoint, route.Proxy, cancellationToken);
        }
        handler.ConnectCallback = async (context, cancellationToken) =>
            new ReadAheadStream(await open(context.DnsEndPoint, cancellationToken).ConfigureAwait(false));

        var ssl = new SslClientAuthenticationOptions();
        if (options.SkipCertificateCheck)
        {
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        if (options.ClientCertificate is { } certificate)
        {
            ssl.ClientCertificates = new X509CertificateCollection { certificate };
        }
        handler.SslOptions = ssl;
        bool forwarded = IsForwarded(route, options) && !tunnel;
        if (forwarded)
        {
            // A proxy that reads each request may close the connection after its answer without
            // saying so (tinyproxy strips the Connection header and closes): a next request sent on
            // what looks like a live pooled connection then fails with "the response ended
            // prematurely", and .NET retries no request whose body had started (every RPC has
            // one). A lifetime of zero keeps no connection for a second request.
            handler.PooledConnectionLifetime = TimeSpan.Zero;
        }
        return new IntermediaryAnswerCheck(handler, route, options.ClientCertificate is not null, forwarded);
#else
        var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false };
        if (options.Proxy is not null)
        {
            handler.Proxy = route.Settings;
            handler.UseProxy = true;
        }
        if (options.SkipCertificateCheck)
        {
            handler.ServerCertificateCustomValidationCallback = (_, _, _, _) => true;
        }
        if (options.ClientCertificate is { } certificate)
        {
            handler.ClientCertificateOptions = ClientCertificateOption.Manual;
            handler.ClientCertificates.Add(certificate);
        }
        return new IntermediaryAnswerCheck(handler, route, options.ClientCertificate is not null, IsForwarded(route, options));
#endif
    }

    /// <summary>Plain http requests the proxy itself reads and forwards (not a tunnel): only those may carry Proxy-Authorization.</summary>
    static bool IsForwarded(ProxyRoute route, SandboxClientOptions options) =>
        route.Proxy is { Scheme: "http" or "https" } && options.Endpoint.BaseUri.Scheme == Uri.UriSchemeHttp;
}
