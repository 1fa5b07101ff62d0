using System;
using System.Diagnostics;
using System.Threading;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Ends a read of a response body that has waited longer than an allowance for its bytes: a
/// stalled connection then fails instead of hanging forever. Only the time a read is pending
/// counts; the reader's own time between reads does not (a pipeline downstream may pause as long
/// as it likes). One timer per body, looking a quarter of the allowance apart, so that a read
/// arms nothing: a body read in small pieces costs two stores a read.
/// </summary>
internal sealed class PendingReadWatch : IDisposable
{
    readonly CancellationTokenSource _stalled = new CancellationTokenSource();
    readonly long _allowanceTicks;
    readonly Timer? _timer;
    long _pendingSince; // Stopwatch timestamp of the pending read's start; 0 while none is
    CancellationTokenSource? _linked;
    CancellationToken _linkedTo;

    public PendingReadWatch(TimeSpan allowance)
    {
        Allowance = allowance;
        if (TimeLimit.Limits(allowance))
        {
            _allowanceTicks = (long)(allowance.TotalSeconds * Stopwatch.Frequency);
            long every = (long)Math.Min(Math.Max(allowance.TotalMilliseconds / 4, 1), int.MaxValue);
            _timer = new Timer(Look, null, every, every);
        }
    }

    public TimeSpan Allowance { get; }

    /// <summary>True once a read has waited longer than the allowance.</summary>
    public bool Fired => _stalled.IsCancellationRequested;

    /// <summary>A read begins: the token it waits with, the caller's and this watch's in one.</summary>
    public CancellationToken Begin(CancellationToken caller)
    {
        Volatile.Write(ref _pendingSince, Stopwatch.GetTimestamp());
        if (_timer is null)
        {
            return caller;
        }
        if (!caller.CanBeCanceled)
        {
            return _stalled.Token;
        }
        // Readers pass the same token read after read: one linked source serves them all.
        if (_linked is null || _linkedTo != caller)
        {
            _linked?.Dispose();
            _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _stalled.Token);
            _linkedTo = caller;
        }
        return _linked.Token;
    }

    /// <summary>The read has its bytes (or its end, or its failure): the reader's time starts.</summary>
    public void End() => Volatile.Write(ref _pendingSince, 0);

    void Look(object? state)
    {
        long since = Volatile.Read(ref _pendingSince);
        if (since != 0 && Stopwatch.GetTimestamp() - since > _allowanceTicks)
        {
            try
            {
                _stalled.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed as the timer fired: the body is closed, nothing is pending.
            }
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _linked?.Dispose();
        _stalled.Dispose();
    }
}
