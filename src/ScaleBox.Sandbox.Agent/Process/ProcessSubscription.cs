using System.Threading.Channels;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// One listener's view of a process: a short bounded queue of events (start first, end last) that
/// the fan-out fills and one RPC stream empties. A full queue makes the producer wait, so a slow
/// client slows the process's output down instead of growing memory, as the real agent does.
/// Disposing it (the client went away) unsubscribes and never blocks the producer again.
/// </summary>
sealed class ProcessSubscription : IDisposable
{
    const int Capacity = 32;

    readonly Channel<ProcessEvent> _events = Channel.CreateBounded<ProcessEvent>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    readonly OutputFanOut _owner;

    public ProcessSubscription(OutputFanOut owner)
    {
        _owner = owner;
    }

    public ChannelReader<ProcessEvent> Events => _events.Reader;

    /// <summary>For the first events of a fresh subscription, which always fit.</summary>
    internal void Seed(ProcessEvent e) => _events.Writer.TryWrite(e);

    /// <summary>Waits for room; returns at once if the subscriber has gone.</summary>
    internal void Deliver(ProcessEvent e)
    {
        try
        {
            ValueTask write = _events.Writer.WriteAsync(e);
            if (!write.IsCompletedSuccessfully)
            {
                write.AsTask().GetAwaiter().GetResult();
            }
        }
        catch (ChannelClosedException)
        {
            // unsubscribed meanwhile: the event is simply not for this listener any more
        }
    }

    internal void Complete() => _events.Writer.TryComplete();

    public void Dispose() => _owner.Remove(this);
}
