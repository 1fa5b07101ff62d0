#if NET8_0_OR_GREATER
using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// Opens connections for the socket handler: straight to where it asks, or, for gRPC over
/// cleartext HTTP/2, through an HTTP CONNECT tunnel at the proxy. .NET forwards plain http
/// through a proxy only as HTTP/1.1 requests, which gRPC cannot use; a tunnel carries HTTP/2 as
/// it is, which is also how other gRPC clients use a proxy.
/// </summary>
internal static class ProxyTunnel
{
    const int MaxResponseHeader = 16 * 1024;

    /// <summary>A TCP connection to <paramref name="endPoint"/>; failures to reach <paramref name="proxy"/> say it was the proxy.</summary>
    public static async ValueTask<Stream> OpenAsync(DnsEndPoint endPoint, Uri? proxy, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e) when (proxy is not null && IsProxy(endPoint, proxy))
        {
            socket.Dispose();
            throw new ProxyException($"the proxy {ProxyException.Show(proxy)} cannot be reached ({e.Message}). Check -Proxy, or HTTPS_PROXY and HTTP_PROXY", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A connection to <paramref name="target"/> through a CONNECT tunnel at <paramref name="route"/>'s proxy.</summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint target, ProxyRoute route, CancellationToken cancellationToken)
    {
        Uri proxy = route.Proxy ?? throw new InvalidOperationException("No proxy to tunnel through.");
        Stream stream = await OpenAsync(new DnsEndPoint(proxy.IdnHost, proxy.Port), proxy, cancellationToken).ConfigureAwait(false);
        try
        {
            string authority = target.Host.IndexOf(':') >= 0 ? $"[{target.Host}]:{target.Port}" : $"{target.Host}:{target.Port}";
            var request = new StringBuilder()
                .Append("CONNECT ").Append(authority).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(authority).Append("\r\n");
            if (route.Credential is { } credential)
            {
                string pair = credential.UserName + ":" + credential.Password;
                request.Append("Proxy-Authorization: Basic ").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(pair))).Append("\r\n");
            }
            request.Append("\r\n");
            byte[] bytes = Encoding.ASCII.GetBytes(request.ToString());
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

            string statusLine = await ReadResponseHeadAsync(stream, proxy, cancellationToken).ConfigureAwait(false);
            string[] parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], out int status))
            {
                throw new ProxyException($"the proxy {ProxyException.Show(proxy)} answered CONNECT with '{EchoedText.Value(statusLine)}', which is not HTTP");
            }
            // Only the proxy answers CONNECT, so its 401 (tinyproxy's answer to a wrong password) is a refusal too.
            if (status == (int)HttpStatusCode.ProxyAuthenticationRequired || status == (int)HttpStatusCode.Unauthorized)
            {
                throw ProxyException.AuthenticationRequired(proxy, route.CredentialOffered,
                    status == (int)HttpStatusCode.Unauthorized ? ProxyException.Answer401 : ProxyException.Answer407, tunnel: true);
            }
            if (status < 200 || status > 299)
            {
                throw new ProxyException($"the proxy {ProxyException.Show(proxy)} would not open a tunnel to {authority} ({EchoedText.Value(statusLine)}). "
                    + "gRPC over cleartext HTTP/2 passes a proxy only by HTTP CONNECT, which the proxy must allow to that port");
            }
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the proxy's answer up to its blank line, byte by byte so nothing of the tunnel's own traffic is taken; returns the status line.</summary>
    static async Task<string> ReadResponseHeadAsync(Stream stream, Uri proxy, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (head.Length < MaxResponseHeader)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new ProxyException($"the proxy {ProxyException.Show(proxy)} closed the connection before answering CONNECT");
            }
            head.Append((char)one[0]);
            if (head.Length >= 4 && head[head.Length - 1] == '\n' && head[head.Length - 2] == '\r' && head[head.Length - 3] == '\n' && head[head.Length - 4] == '\r')
            {
                string text = head.ToString();
                return text.Substring(0, text.IndexOf("\r\n", StringComparison.Ordinal));
            }
        }
        throw new ProxyException($"the proxy {ProxyException.Show(proxy)} sent an answer to CONNECT longer than {MaxResponseHeader} bytes");
    }

    static bool IsProxy(DnsEndPoint endPoint, Uri proxy) =>
        endPoint.Port == proxy.Port && string.Equals(endPoint.Host, proxy.IdnHost, StringComparison.OrdinalIgnoreCase);
}
#endif
