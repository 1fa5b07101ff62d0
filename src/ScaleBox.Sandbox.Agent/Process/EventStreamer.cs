using System.Threading.Channels;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Copies a channel of stream events to an RPC response stream as they come, and writes a
/// <c>keepalive</c> event whenever nothing was sent for the keepalive interval (only while idle).
/// Returns when the channel completes (after a process's end event, or rethrows the error a watch
/// completed it with); throws when the call is cancelled (the process or watch source lives on).
/// Process streams and directory watch streams share it.
/// </summary>
static class EventStreamer
{
    static readonly ProcessEvent ProcessKeepalive = new() { Keepalive = new ProcessEvent.Types.KeepAlive() };

    public static Task CopyAsync(ProcessSubscription subscription, Func<ProcessEvent, Task> write, TimeSpan keepalive, CancellationToken cancellationToken) =>
        CopyAsync(subscription.Events, write, ProcessKeepalive, keepalive, cancellationToken);

    public static async Task CopyAsync<T>(ChannelReader<T> events, Func<T, Task> write, T keepaliveEvent, TimeSpan keepalive, CancellationToken cancellationToken)
    {
        var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                while (events.TryRead(out T? e))
                {
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
