using System;
using System.Net.Http;

namespace ScaleBox.Sandbox.Client.Transport
{
    /// <summary>The socket-level handler shared by the RPC channel and the plain HTTP endpoints of one client.</summary>
    internal static class HttpHandlerFactory
    {
        public static HttpMessageHandler Create(SandboxClientOptions options)
        {
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
                // Detects a silently dropped HTTP/2 connection under a long-lived stream.
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
                UseCookies = false,
                AllowAutoRedirect = false,
            };
            if (options.SkipCertificateCheck)
            {
                handler.SslOptions = new System.Net.Security.SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                };
            }
            return handler;
#else
            var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false };
            if (options.SkipCertificateCheck)
            {
                handler.ServerCertificateCustomValidationCallback = (_, _, _, _) => true;
            }
            return handler;
#endif
        }
    }
}
