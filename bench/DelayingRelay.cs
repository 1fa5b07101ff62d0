// A TCP relay on 127.0.0.1 that holds every chunk it passes on for half a given round trip, each
// way, so that the local agent answers as a sandbox across a network would: what a client's round
// trips cost shows, where on loopback they cost next to nothing. bench/items.ps1 compiles it with
// Add-Type (-RoundTripMs) and sends the module and the official SDK through the same relay; the
// Pester tests that count a session's connections send it through one (Start-TestDelayingRelay). It adds
// latency only (no bandwidth limit, no loss) and holds what it relays in memory: for small items.
using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

public sealed class DelayingRelay : IDisposable
{
    readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new CancellationTokenSource();
    readonly int _targetPort;
    readonly TimeSpan _oneWay;

    public DelayingRelay(int targetPort, double roundTripMilliseconds)
    {
        _targetPort = targetPort;
        _oneWay = TimeSpan.FromMilliseconds(roundTripMilliseconds / 2);
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>The port clients connect to instead of the agent's.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException || e is SocketException || e is ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(client);
        }
    }

    async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                // The client's connect was answered by this machine at once; a network's handshake takes a round trip.
                await Task.Delay(_oneWay + _oneWay, _stop.Token);
                NetworkStream near = client.GetStream(), far = upstream.GetStream();
                await Task.WhenAll(PumpAsync(near, far, upstream.Client), PumpAsync(far, near, client.Client));
            }
            catch (Exception e) when (e is OperationCanceledException || e is SocketException || e is IOException)
            {
            }
        }
    }

    /// <summary>Passes what <paramref name="from"/> sends on to <paramref name="to"/>, each chunk once its one-way delay is over, in order.</summary>
    async Task PumpAsync(NetworkStream from, NetworkStream to, Socket toSocket)
    {
        var held = Channel.CreateUnbounded<(long Due, byte[] Data, int Count)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Task sending = SendAsync(held.Reader, to, toSocket);
        try
        {
            while (true)
            {
                var buffer = new byte[64 * 1024];
                int count = await from.ReadAsync(buffer, _stop.Token);
                if (count == 0)
                {
                    break;
                }
                held.Writer.TryWrite((Stopwatch.GetTimestamp() + (long)(_oneWay.TotalSeconds * Stopwatch.Frequency), buffer, count));
            }
        }
        catch (Exception e) when (e is OperationCanceledException || e is IOException || e is SocketException)
        {
        }
        finally
        {
            held.Writer.TryComplete();
        }
        await sending;
    }

    async Task SendAsync(ChannelReader<(long Due, byte[] Data, int Count)> held, NetworkStream to, Socket toSocket)
    {
        try
        {
            await foreach (var (due, data, count) in held.ReadAllAsync(_stop.Token))
            {
                long wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), _stop.Token);
                }
                await to.WriteAsync(data.AsMemory(0, count), _stop.Token);
            }
            toSocket.Shutdown(SocketShutdown.Send); // the other side finished sending: so does this one, once all is passed on
        }
        catch (Exception e) when (e is OperationCanceledException || e is IOException || e is SocketException || e is ObjectDisposedException)
        {
        }
    }
}
