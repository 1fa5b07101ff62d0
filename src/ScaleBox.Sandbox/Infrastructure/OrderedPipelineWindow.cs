using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Steps of a cmdlet run -ThrottleLimit at a time off the pipeline thread, each one's result written
/// on the pipeline thread in the order the steps were added, as soon as it and all before it are
/// done. Adding to a full window writes the oldest first (with a limit of 1, each step at once).
/// Disposing cancels and waits for what is still in flight. A step may name the paths it touches,
/// so that a later one that meets them can wait for the steps before it (<see cref="WriteAllIfMeeting"/>).
/// </summary>
internal sealed class OrderedPipelineWindow<T> : IDisposable
{
    readonly OrderedBoundedParallel<T> _steps;
    readonly Func<Task<T>, T> _wait;
    readonly Action<T> _write;

    /// <summary>The paths each step in flight touches, in the order the steps are written.</summary>
    readonly Queue<string[]> _paths = new Queue<string[]>();

    /// <param name="wait">The cmdlet's wait on the pipeline thread, which Ctrl+C ends.</param>
    /// <param name="write">Writes one result; called on the pipeline thread only.</param>
    public OrderedPipelineWindow(int limit, CancellationToken cancellationToken, Func<Task<T>, T> wait, Action<T> write)
    {
        _steps = new OrderedBoundedParallel<T>(limit, cancellationToken);
        _wait = wait;
        _write = write;
    }

    /// <summary>Nothing in flight: a step added now is the next one written.</summary>
    public bool IsEmpty => _steps.Count == 0;

    /// <param name="touches">The paths the step reads or changes, for <see cref="WriteAllIfMeeting"/>.</param>
    public void Add(Func<CancellationToken, Task<T>> step, params string[] touches)
    {
        _steps.Add(step);
        _paths.Enqueue(touches);
        if (_steps.IsFull)
        {
            WriteOldest();
        }
    }

    /// <summary>
    /// Waits for every step in flight, writing each result in order, when a path they touch may be
    /// one of <paramref name="paths"/>, or hold it, or lie inside it (<see cref="SandboxPath.MayOverlap"/>:
    /// a relative and an absolute spelling are taken to meet), so that the step about to be added
    /// sees what they did, as one at a time would.
    /// </summary>
    public void WriteAllIfMeeting(params string[] paths)
    {
        if (_paths.Any(touched => touched.Any(inFlight => paths.Any(path => SandboxPath.MayOverlap(inFlight, path)))))
        {
            WriteAll();
        }
    }

    /// <summary>Writes the results already done at the head of the line, without waiting for any.</summary>
    public void WriteFinished()
    {
        while (_steps.TryTakeCompleted(out Task<T>? done))
        {
            _paths.Dequeue();
            _write(_wait(done!));
        }
    }

    /// <summary>Waits for every step in flight, writing each result in order.</summary>
    public void WriteAll()
    {
        while (_steps.Count > 0)
        {
            WriteOldest();
        }
    }

    void WriteOldest()
    {
        _paths.Dequeue();
        _write(_wait(_steps.TakeOldest()));
    }

    public void Dispose() => _steps.Dispose();
}
