using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Hands every output event of one process to everyone listening at that moment (no replay), and
/// the end event to everyone last. A listener that joins sees <c>start</c> first; one that joins
/// after the end sees <c>start</c> and the end, and nothing else.
/// </summary>
sealed class OutputFanOut
{
    readonly object _gate = new();
    ProcessSubscription[] _subscribers = [];
    ProcessEvent? _end;

    public ProcessSubscription Subscribe(ProcessEvent start)
    {
        var subscription = new ProcessSubscription(this);
        subscription.Seed(start);
        lock (_gate)
        {
            if (_end is not null)
            {
                subscription.Seed(_end);
                subscription.Complete();
                return subscription;
            }
            _subscribers = [.. _subscribers, subscription];
        }
        return subscription;
    }

    /// <summary>Called from one output reader thread at a time per source; waits for slow listeners.</summary>
    public void Broadcast(ProcessEvent e)
    {
        foreach (ProcessSubscription subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Deliver(e);
        }
    }

    /// <summary>Sends the end event to every listener and closes their queues; later listeners get it at once.</summary>
    public void Complete(ProcessEvent end)
    {
        ProcessSubscription[] last;
        lock (_gate)
        {
            _end = end;
            last = _subscribers;
            _subscribers = [];
        }
        foreach (ProcessSubscription subscriber in last)
        {
            subscriber.Deliver(end);
            subscriber.Complete();
        }
    }

    internal void Remove(ProcessSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = Array.FindAll(_subscribers, s => s != subscription);
        }
        subscription.Complete();
    }
}
