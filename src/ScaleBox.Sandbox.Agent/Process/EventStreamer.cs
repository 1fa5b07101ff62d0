using System.Threading.Channels;
using Grpc.Core;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Copies a channel of stream events to an RPC response stream as they come, and writes a
/// <c>keepalive</c> event whenever nothing was sent for the keepalive interval (only while idle).
/// Returns when the channel completes (after a process's end event, or rethrows the error a watch
/// completed it with); throws when the call is cancelled (the process or watch source lives on).
/// Process streams and directory watch streams share it.
/// <para>
/// An event leaves with a flush of its own unless another is already queued behind it: then it
/// stays in the response buffer for that one (a few at most), so a burst costs fewer flushes and
/// nothing ever waits for an event that has not come yet.
/// </para>
/// </summary>
static class EventStreamer
{
    static readonly ProcessEvent ProcessKeepalive = new() { Keepalive = new ProcessEvent.Types.KeepAlive() };

    /// <summary>Writes that may wait in the response buffer for the next one, queued right behind.</summary>
    static readonly WriteOptions HeldForNext = new(WriteFlags.BufferHint);

    /// <summary>How many writes in a row may wait for the next one before a flush, so a steady burst still leaves in pieces.</summary>
    const int MaxHeld = 8;

    public static Task CopyAsync<TResponse>(ProcessSubscription subscription, IServerStreamWriter<TResponse> stream, Func<ProcessEvent, TResponse> wrap,
        TimeSpan keepalive, CancellationToken cancellationToken) =>
        CopyAsync(subscription.Events, stream, wrap, DataEventCoalescer.TakeQueued, ProcessKeepalive, keepalive, cancellationToken);

    public static Task CopyAsync<T>(ChannelReader<T> events, IServerStreamWriter<T> stream, T keepaliveEvent, TimeSpan keepalive, CancellationToken cancellationToken) =>
        CopyAsync(events, stream, e => e, (e, _) => e, keepaliveEvent, keepalive, cancellationToken);

    /// <param name="takeQueued">Given an event just read, may join the events queued behind it into it.</param>
    static async Task CopyAsync<T, TResponse>(ChannelReader<T> events, IServerStreamWriter<TResponse> stream, Func<T, TResponse> wrap,
        Func<T, ChannelReader<T>, T> takeQueued, T keepaliveEvent, TimeSpan keepalive, CancellationToken cancellationToken)
    {
        var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Func<T, Task> write = e => stream.WriteAsync(wrap(e));
        try
        {
            int held = 0;
            while (true)
            {
                while (events.TryRead(out T? e))
                {
                    e = takeQueued(e, events);
                    bool hold = held < MaxHeld && events.TryPeek(out _);
                    held = hold ? held + 1 : 0;
                    stream.WriteOptions = hold ? HeldForNext : null;
                    await WriteAsync(write, e, cancellationToken).ConfigureAwait(false);
                }

                idle.CancelAfter(keepalive);
                bool more;
                try
                {
                    more = await events.WaitToReadAsync(idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    idle.Dispose();
                    idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    if (!events.TryPeek(out _))
                    {
                        stream.WriteOptions = null;
                        await WriteAsync(write, keepaliveEvent, cancellationToken).ConfigureAwait(false);
                    }
                    continue;
                }
                if (!more)
                {
                    await events.Completion.ConfigureAwait(false); // rethrows the error the source ended with
                    return; // the end event has been written
                }
                idle.CancelAfter(Timeout.Infinite);
                if (idle.IsCancellationRequested)
                {
                    // The timer fired as output arrived: that silence is over, so no keepalive for it.
                    idle.Dispose();
                    idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                }
            }
        }
        finally
        {
            idle.Dispose();
        }
    }

    /// <summary>A write that fails because the client has gone is a cancellation, not a fault of the agent.</summary>
    static async Task WriteAsync<T>(Func<T, Task> write, T e, CancellationToken cancellationToken)
    {
        try
        {
            await write(e).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the client went away", failure, cancellationToken);
        }
    }
}
