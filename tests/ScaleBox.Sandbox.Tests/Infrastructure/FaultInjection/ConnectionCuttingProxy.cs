// Self-contained (no implicit usings), so that the Pester tests compile it too (Add-Type).
#nullable enable
using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

/// <summary>
/// TEST-ONLY FAULT INJECTION. A TCP proxy on 127.0.0.1 that forwards every connection to a local
/// port (the agent) byte for byte, and can cut chosen connections: after exactly N bytes of the
/// response (or of the request), it closes both sides, as a dropped network would. Connections are
/// numbered from 1 in the order the proxy accepts them. Nothing here ever dials anything but
/// 127.0.0.1.
/// </summary>
public sealed class ConnectionCuttingProxy : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly int _targetPort;
    readonly ConcurrentDictionary<int, CutRule> _rules = new();
    readonly ConcurrentBag<Socket> _sockets = [];
    readonly ConcurrentBag<Task> _connections = [];
    readonly CancellationTokenSource _stopping = new();
    readonly ConcurrentQueue<Exception> _callbackErrors = new();
    readonly Task _acceptLoop;
    int _accepted;
    int _cuts;
    int _closed;

    public ConnectionCuttingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The proxy's own port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>What a client uses as the sandbox domain to go through the proxy.</summary>
    public string Domain => $"127.0.0.1:{Port}";

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _accepted);

    /// <summary>Connections that have ended (cut, or closed by either side) so far.</summary>
    public int ClosedCount => Volatile.Read(ref _closed);

    /// <summary>Connections cut so far.</summary>
    public int CutCount => Volatile.Read(ref _cuts);

    /// <summary>
    /// Called (on the proxy's thread) when a connection is cut, with its number, after the allowed
    /// bytes went through and before the sockets close, so a test can change the world between a
    /// cut and the client's reaction to it. If it throws, the cut still happens and DisposeAsync
    /// rethrows the failure.
    /// </summary>
    public Action<int>? OnCut { get; set; }

    /// <summary>
    /// Cut connection <paramref name="connection"/> once <paramref name="afterBytes"/> response bytes
    /// reached the client. With <paramref name="countFromBody"/> the count starts after the first
    /// <c>\r\n\r\n</c> of the response, i.e. after the HTTP/1.1 headers (0 cuts right after them).
    /// </summary>
    public void CutResponse(int connection, long afterBytes, bool countFromBody = false) =>
        _rules[connection] = new CutRule(Direction.Response, afterBytes, countFromBody);

    /// <summary>Cut connection <paramref name="connection"/> once <paramref name="afterBytes"/> request bytes reached the agent.</summary>
    public void CutRequest(int connection, long afterBytes) =>
        _rules[connection] = new CutRule(Direction.Request, afterBytes, CountFromBody: false);

    /// <summary>
    /// Stall connection <paramref name="connection"/>: after <paramref name="afterBytes"/> response
    /// bytes (counted as for <see cref="CutResponse"/>) nothing more is forwarded, but the connection
    /// stays open, as a silently dead network path would.
    /// </summary>
    public void StallResponse(int connection, long afterBytes, bool countFromBody = false) =>
        _rules[connection] = new CutRule(Direction.Response, afterBytes, countFromBody, Stall: true);

    static readonly byte[] HeaderTerminator = "\r\n\r\n"u8.ToArray();

    enum Direction { Request, Response }

    sealed record CutRule(Direction Direction, long AfterBytes, bool CountFromBody, bool Stall = false);

    async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            int number = Interlocked.Increment(ref _accepted);
            _connections.Add(Task.Run(() => ServeAsync(client, number)));
        }
    }

    async Task ServeAsync(Socket client, int number)
    {
        _sockets.Add(client);
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(upstream);
        client.NoDelay = true;
        upstream.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stopping.Token);
        }
        catch (Exception)
        {
            Close(client);
            Close(upstream);
            return;
        }

        _rules.TryGetValue(number, out CutRule? rule);
        var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task requests = PumpAsync(client, upstream, rule?.Direction == Direction.Request ? rule : null, number, cut);
        Task responses = PumpAsync(upstream, client, rule?.Direction == Direction.Response ? rule : null, number, cut);
        await Task.WhenAny(Task.WhenAll(requests, responses), cut.Task);
        Close(client);
        Close(upstream);
        await Task.WhenAll(requests, responses);
        Interlocked.Increment(ref _closed);
    }

    /// <summary>Copies one direction; on a cut, forwards exactly the allowed bytes and signals.</summary>
    async Task PumpAsync(Socket from, Socket to, CutRule? rule, int number, TaskCompletionSource cut)
    {
        var buffer = new byte[64 * 1024];
        long forwarded = 0;
        long? limit = rule is { CountFromBody: false } ? rule.AfterBytes : null;
        int headerMatch = 0; // progress through "\r\n\r\n"
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (read == 0)
                {
                    // Orderly end of this direction: pass the half-close on.
                    try { to.Shutdown(SocketShutdown.Send); } catch (SocketException) { } catch (ObjectDisposedException) { }
                    return;
                }

                if (rule is { CountFromBody: true } && limit is null)
                {
                    for (int i = 0; i < read; i++)
                    {
                        headerMatch = buffer[i] == HeaderTerminator[headerMatch] ? headerMatch + 1 : buffer[i] == HeaderTerminator[0] ? 1 : 0;
                        if (headerMatch == HeaderTerminator.Length)
                        {
                            limit = forwarded + i + 1 + rule.AfterBytes;
                            break;
                        }
                    }
                }

                int allowed = limit is long max ? (int)Math.Min(read, Math.Max(0, max - forwarded)) : read;
                if (allowed > 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, allowed), SocketFlags.None, _stopping.Token);
                    forwarded += allowed;
                }
                if (limit is long reached && forwarded >= reached && rule!.Stall)
                {
                    // Hold everything back until the proxy is disposed; the client must notice by itself.
                    await Task.Delay(Timeout.Infinite, _stopping.Token);
                }
                if (limit is long reached2 && forwarded >= reached2)
                {
                    Interlocked.Increment(ref _cuts);
                    try
                    {
                        OnCut?.Invoke(number);
                    }
                    catch (Exception e)
                    {
                        _callbackErrors.Enqueue(e); // cut anyway; DisposeAsync reports it
                    }
                    // An orderly close after the allowed bytes: the client sees the stream end early.
                    try { to.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
                    cut.TrySetResult();
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            cut.TrySetResult(); // one side failed: tear the pair down
        }
    }

    static void Close(Socket socket)
    {
        try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        foreach (Socket socket in _sockets)
        {
            Close(socket);
        }
        try
        {
            await _acceptLoop;
            await Task.WhenAll(_connections);
        }
        catch (Exception)
        {
            // Teardown: whatever the pumps threw is of no interest any more.
        }
        _stopping.Dispose();
        if (!_callbackErrors.IsEmpty)
        {
            throw new AggregateException("The proxy's OnCut callback failed.", _callbackErrors);
        }
    }
}
