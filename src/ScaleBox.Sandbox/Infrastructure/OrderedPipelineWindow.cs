using System;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Steps of a cmdlet run -ThrottleLimit at a time off the pipeline thread, each one's result written
/// on the pipeline thread in the order the steps were added, as soon as it and all before it are
/// done. Adding to a full window writes the oldest first (with a limit of 1, each step at once).
/// Disposing cancels and waits for what is still in flight.
/// </summary>
internal sealed class OrderedPipelineWindow<T> : IDisposable
{
    readonly OrderedBoundedParallel<T> _steps;
    readonly Func<Task<T>, T> _wait;
    readonly Action<T> _write;

    /// <param name="wait">The cmdlet's wait on the pipeline thread, which Ctrl+C ends.</param>
    /// <param name="write">Writes one result; called on the pipeline thread only.</param>
    public OrderedPipelineWindow(int limit, CancellationToken cancellationToken, Func<Task<T>, T> wait, Action<T> write)
    {
        _steps = new OrderedBoundedParallel<T>(limit, cancellationToken);
        _wait = wait;
        _write = write;
    }

    public void Add(Func<CancellationToken, Task<T>> step)
    {
        _steps.Add(step);
        if (_steps.IsFull)
        {
            _write(_wait(_steps.TakeOldest()));
        }
    }

    /// <summary>Writes the results already done at the head of the line, without waiting for any.</summary>
    public void WriteFinished()
    {
        while (_steps.TryTakeCompleted(out Task<T>? done))
        {
            _write(_wait(done!));
        }
    }

    /// <summary>Waits for every step in flight, writing each result in order.</summary>
    public void WriteAll()
    {
        while (_steps.Count > 0)
        {
            _write(_wait(_steps.TakeOldest()));
        }
    }

    public void Dispose() => _steps.Dispose();
}
