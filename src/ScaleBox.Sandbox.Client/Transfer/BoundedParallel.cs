using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Runs one asynchronous step per item with at most a given number in flight, yielding each
/// result as it completes (not in item order). A step that throws ends the run: the others are
/// cancelled, and the enumeration ends with that exception once every step has finished, so no
/// step is still writing (a staging file, a temporary local file) when the caller regains control.
/// The same holds when the caller stops enumerating early or cancels.
/// </summary>
internal static class BoundedParallel
{
    /// <summary>The files in flight at once in a directory copy unless the caller says otherwise.</summary>
    public const int DefaultLimit = 8;

    /// <summary>The most a caller may ask for: beyond it, more requests only queue up at the agent.</summary>
    public const int MaxLimit = 64;

    public static async IAsyncEnumerable<TResult> RunAsync<TItem, TResult>(IReadOnlyList<TItem> items, int limit,
        Func<TItem, CancellationToken, Task<TResult>> step, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (items.Count == 0)
        {
            yield break;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var done = new ConcurrentQueue<TResult>();
        // One release per result, and one more when every worker has finished.
        using var ready = new SemaphoreSlim(0);
        int next = -1;
        Exception? firstFailure = null;

        async Task WorkAsync()
        {
            try
            {
                for (int index = Interlocked.Increment(ref next); index < items.Count; index = Interlocked.Increment(ref next))
                {
                    stop.Token.ThrowIfCancellationRequested();
                    TResult result = await step(items[index], stop.Token).ConfigureAwait(false);
                    done.Enqueue(result);
                    ready.Release();
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref firstFailure, e, null);
                stop.Cancel();
            }
        }

        var workers = new Task[Math.Max(1, Math.Min(Math.Min(limit, MaxLimit), items.Count))];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(WorkAsync);
        }
        Task finished = Task.WhenAll(workers).ContinueWith(_ => ready.Release(), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        bool drained = false;
        try
        {
            while (true)
            {
                // Not cancellable: a cancellation reaches the workers, which then finish and signal.
                await ready.WaitAsync().ConfigureAwait(false);
                if (!done.TryDequeue(out TResult? result))
                {
                    drained = true;
                    break;
                }
                yield return result;
            }
        }
        finally
        {
            if (!drained)
            {
                // The caller stopped early: end the steps in flight and wait for their clean-up.
                stop.Cancel();
            }
            await finished.ConfigureAwait(false);
        }

        if (firstFailure is { } failure)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
        cancellationToken.ThrowIfCancellationRequested();
    }
}
