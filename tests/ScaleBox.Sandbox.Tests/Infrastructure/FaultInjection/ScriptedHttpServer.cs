using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

/// <summary>
/// TEST-ONLY FAULT INJECTION: an HTTP/1.1 server on 127.0.0.1 that answers every request with the
/// same raw bytes, then closes the connection. It stands in for a broken agent (garbage, truncated
/// or oversized frames), which the real agent never sends.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stopping = new();
    readonly byte[] _response;
    readonly Task _accepting;

    /// <param name="contentType">The response's Content-Type.</param>
    /// <param name="body">The raw response body, sent as it is, ended by closing the connection.</param>
    /// <param name="status">The response's status line after the version, such as <c>404 Not Found</c>.</param>
    public ScriptedHttpServer(string contentType, byte[] body, string status = "200 OK")
    {
        byte[] head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nConnection: close\r\n\r\n");
        _response = [.. head, .. body];
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Every request received so far, head and body (up to its Content-Length), as sent.</summary>
    public IReadOnlyList<byte[]> Requests => [.. _requests];

    readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _requests = new();

    async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            _ = AnswerAsync(socket);
        }
    }

    async Task AnswerAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                // Read up to the end of the request headers; the body (if any) is not needed.
                var seen = new List<byte>();
                byte[] buffer = new byte[4096];
                while (!EndsHeaders(seen))
                {
                    int read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                    if (read == 0)
                    {
                        return;
                    }
                    seen.AddRange(buffer.AsSpan(0, read).ToArray());
                }
                await ReadBodyAsync(socket, seen);
                _requests.Enqueue([.. seen]);
                await socket.SendAsync(_response, SocketFlags.None, _stopping.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
            }
        }
    }

    /// <summary>Reads the rest of a body with a Content-Length, so that the request is recorded whole.</summary>
    async Task ReadBodyAsync(Socket socket, List<byte> seen)
    {
        string head = Encoding.ASCII.GetString([.. seen]);
        int headLength = head.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        System.Text.RegularExpressions.Match length = System.Text.RegularExpressions.Regex.Match(
            head[..headLength], @"\r\ncontent-length:\s*(\d+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        int expected = length.Success ? headLength + int.Parse(length.Groups[1].Value) : headLength;
        byte[] buffer = new byte[4096];
        while (seen.Count < expected)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
            if (read == 0)
            {
                return;
            }
            seen.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    static bool EndsHeaders(List<byte> seen)
    {
        for (int i = 3; i < seen.Count; i++)
        {
            if (seen[i - 3] == '\r' && seen[i - 2] == '\n' && seen[i - 1] == '\r' && seen[i] == '\n')
            {
                return true;
            }
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        await _accepting;
        _stopping.Dispose();
    }
}
