using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Keeps up to a given number of asynchronous steps in flight while items keep arriving, and hands
/// the steps back in the order they were added, whatever order they finish in: the sibling of
/// <see cref="BoundedParallel"/> for callers whose output must follow their input, such as a
/// pipeline of paths to read. The caller drives it from one thread: <see cref="Add"/> a step while
/// the window is not full, <see cref="TakeOldest"/> (waiting) when it is, <see cref="TryTakeCompleted"/>
/// between items, and both until it is empty at the end.
/// </summary>
/// <remarks>
/// A step that fails fails only its own task, taken at its position; the others go on, and the
/// caller decides whether to stop. <see cref="Dispose"/> cancels every step not yet taken and waits
/// until all have ended, so none is still running when the caller has moved on (Ctrl+C, an early
/// stop downstream, a terminating error); a result that holds something (an open download) is
/// disposed there, since nobody will take it.
/// </remarks>
public sealed class OrderedBoundedParallel<TResult> : IDisposable
{
    readonly Queue<Task<TResult>> _window = new Queue<Task<TResult>>();
    readonly CancellationTokenSource _stop;
    bool _disposed;

    /// <param name="limit">The most steps added and not yet taken, between 1 and <see cref="BoundedParallel.MaxLimit"/>.</param>
    /// <param name="cancellationToken">Cancels every step in flight.</param>
    public OrderedBoundedParallel(int limit, CancellationToken cancellationToken = default)
    {
        if (limit < 1 || limit > BoundedParallel.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"Between 1 and {BoundedParallel.MaxLimit} steps can be in flight at once.");
        }
        Limit = limit;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public int Limit { get; }

    /// <summary>The steps added and not yet taken, finished or not.</summary>
    public int Count => _window.Count;

    /// <summary>Whether the oldest step must be taken before another can be added.</summary>
    public bool IsFull => _window.Count >= Limit;

    /// <summary>Starts a step; it gets a token that <see cref="Dispose"/> or the constructor's token cancels.</summary>
    /// <exception cref="InvalidOperationException">The window is full: take the oldest step first.</exception>
    public void Add(Func<CancellationToken, Task<TResult>> step)
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(OrderedBoundedParallel<TResult>));
        }
        if (IsFull)
        {
            throw new InvalidOperationException($"{Limit} steps are already in flight: take the oldest before adding another.");
        }
        Task<TResult> task;
        try
        {
            task = step(_stop.Token);
        }
        catch (Exception e)
        {
            // A step that throws before its first await fails at its position like any other.
            task = Task.FromException<TResult>(e);
        }
        _window.Enqueue(task);
    }

    /// <summary>
    /// Removes and returns the oldest step, finished or not: the caller waits on it, and gets its
    /// result or its exception.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing is in flight.</exception>
    public Task<TResult> TakeOldest()
    {
        if (_window.Count == 0)
        {
            throw new InvalidOperationException("No step is in flight.");
        }
        return _window.Dequeue();
    }

    /// <summary>Removes and returns the oldest step if it has finished (without waiting), so output can follow at once.</summary>
    public bool TryTakeCompleted(out Task<TResult>? oldest)
    {
        if (_window.Count > 0 && _window.Peek().IsCompleted)
        {
            oldest = _window.Dequeue();
            return true;
        }
        oldest = null;
        return false;
    }

    /// <summary>
    /// Cancels every step not yet taken and waits until they have all ended; their failures are
    /// dropped, and their results too, disposed when they are <see cref="IDisposable"/>.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        while (_window.Count > 0)
        {
            Task<TResult> abandoned = _window.Dequeue();
            try
            {
                (abandoned.GetAwaiter().GetResult() as IDisposable)?.Dispose();
            }
            catch (Exception)
            {
                // Cancelled or failed: nobody is left to report it to.
            }
        }
        _stop.Dispose();
    }
}
