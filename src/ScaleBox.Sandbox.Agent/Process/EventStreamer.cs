using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Copies a subscription's events to an RPC response stream as they come, and writes a
/// <c>keepalive</c> event whenever nothing was sent for the keepalive interval (only while idle).
/// Returns after the end event; throws when the call is cancelled (the process lives on).
/// </summary>
static class EventStreamer
{
    static readonly ProcessEvent Keepalive = new() { Keepalive = new ProcessEvent.Types.KeepAlive() };

    public static async Task CopyAsync(ProcessSubscription subscription, Func<ProcessEvent, Task> write, TimeSpan keepalive, CancellationToken cancellationToken)
    {
        var events = subscription.Events;
        var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                while (events.TryRead(out ProcessEvent? e))
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
                        await WriteAsync(write, Keepalive, cancellationToken).ConfigureAwait(false);
                    }
                    continue;
                }
                if (!more)
                {
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
    static async Task WriteAsync(Func<ProcessEvent, Task> write, ProcessEvent e, CancellationToken cancellationToken)
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
