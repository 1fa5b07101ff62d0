using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using ScaleBox.Sandbox.Agent.Processes;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>
/// Keepalives on an Execute stream, for a client that asks for them with the
/// <c>Keepalive-Ping-Interval</c> header (as process and watch streams do): a kernel computing in
/// silence for minutes is then told apart from a frozen agent or a dead connection. The Execute
/// schema has no keepalive event, so a keepalive is an <c>ExecuteResponse</c> with no event set,
/// which every protobuf reader accepts and a client skips. Only sent when asked for: the official
/// SDKs do not ask on Execute, and get exactly the events they know. The interval is echoed in the
/// response headers, sent at once, so that the client knows silence now means trouble.
/// Writes are serialized here, since keepalives come from a timer while events come from the kernel.
/// </summary>
sealed class ExecutionKeepalives : IAsyncDisposable
{
    static readonly ExecuteResponse Keepalive = new();

    readonly IServerStreamWriter<ExecuteResponse> _stream;
    readonly TimeSpan _interval;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly CancellationTokenSource _stop;
    readonly Task _timer;
    long _lastWrite = Stopwatch.GetTimestamp();

    ExecutionKeepalives(IServerStreamWriter<ExecuteResponse> stream, TimeSpan interval, CancellationToken callEnded)
    {
        _stream = stream;
        _interval = interval;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(callEnded);
        _timer = Task.Run(SendWhileIdleAsync);
    }

    /// <summary>Null when the client did not ask for keepalives; else they run until disposed.</summary>
    public static async Task<ExecutionKeepalives?> StartAsync(IServerStreamWriter<ExecuteResponse> stream, ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(KeepalivePolicy.Header) is null)
        {
            return null;
        }
        TimeSpan interval = KeepalivePolicy.From(context);
        await context.WriteResponseHeadersAsync(new Metadata
        {
            { KeepalivePolicy.Header, ((long)interval.TotalSeconds).ToString(CultureInfo.InvariantCulture) },
        });
        return new ExecutionKeepalives(stream, interval, context.CancellationToken);
    }

    public async Task WriteAsync(ExecuteResponse response)
    {
        await _gate.WaitAsync(_stop.Token);
        try
        {
            await _stream.WriteAsync(response);
            Volatile.Write(ref _lastWrite, Stopwatch.GetTimestamp());
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task SendWhileIdleAsync()
    {
        while (true)
        {
            TimeSpan due = _interval - Stopwatch.GetElapsedTime(Volatile.Read(ref _lastWrite));
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, _stop.Token);
                continue;
            }
            await WriteAsync(Keepalive);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _timer;
        }
        catch (Exception)
        {
            // Stopped, or the client went away mid-write: the stream is over either way.
        }
        _stop.Dispose();
        _gate.Dispose();
    }
}
