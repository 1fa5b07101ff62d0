using System.Net;
using System.Net.Sockets;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Processes;

/// <summary>
/// TEST-ONLY: a TCP relay on 127.0.0.1 in front of a local agent port that can drop every
/// connection it carries on demand (with a reset, as a dropped network or a restarted proxy
/// would), while still accepting new ones. Nothing here dials anything but 127.0.0.1.
/// </summary>
sealed class TcpRelay : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly int _targetPort;
    readonly object _gate = new();
    readonly List<Socket> _open = [];
    readonly CancellationTokenSource _stopping = new();
    readonly Task _accepting;
    long _bytesToClients;
    volatile TaskCompletionSource? _frozen;
    int _accepted;
    volatile int _frozenBelow;

    public TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>The sandbox domain that goes through the relay.</summary>
    public string Domain => $"127.0.0.1:{Port}";

    /// <summary>Bytes relayed from the agent to clients so far, over all connections.</summary>
    public long BytesToClients => Interlocked.Read(ref _bytesToClients);

    /// <summary>
    /// From now on relays nothing either way, and closes nothing: every connection stays open but
    /// silent, as behind a half-open connection (a peer gone without a FIN or RST). New connections
    /// are still accepted and go silent too.
    /// </summary>
    public void Freeze() => _frozen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _accepted);

    /// <summary>
    /// Makes every connection carried so far silent (half-open, as <see cref="Freeze"/> does),
    /// while connections made from now on are relayed as usual: a stalled path that a client
    /// gets past only by opening a new connection.
    /// </summary>
    public void FreezeCarried() => _frozenBelow = Volatile.Read(ref _accepted);

    /// <summary>Resets both sides of every connection carried so far.</summary>
    public int CutAll()
    {
        Socket[] sockets;
        lock (_gate)
        {
            sockets = [.. _open];
            _open.Clear();
        }
        foreach (Socket socket in sockets)
        {
            Reset(socket);
        }
        return sockets.Length / 2;
    }

    async Task AcceptAsync()
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
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stopping.Token);
            }
            catch (Exception)
            {
                Reset(client);
                upstream.Dispose();
                continue;
            }
            lock (_gate)
            {
                _open.Add(client);
                _open.Add(upstream);
            }
            int number = Interlocked.Increment(ref _accepted);
            _ = PumpAsync(client, upstream, toClient: false, number);
            _ = PumpAsync(upstream, client, toClient: true, number);
        }
    }

    async Task PumpAsync(Socket from, Socket to, bool toClient, int connection)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (_frozen is { } frozen)
                {
                    await frozen.Task.WaitAsync(_stopping.Token); // held until the relay is disposed
                }
                if (connection <= _frozenBelow)
                {
                    await Task.Delay(Timeout.Infinite, _stopping.Token); // silent until the relay is disposed
                }
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                if (toClient)
                {
                    Interlocked.Add(ref _bytesToClients, read);
                }
            }
        }
        catch (Exception)
        {
            // One side was cut or closed: the other goes too.
            Reset(from);
            Reset(to);
        }
    }

    static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception)
        {
        }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _frozen?.TrySetResult();
        _listener.Stop();
        await _accepting;
        CutAll();
        _stopping.Dispose();
    }
}
