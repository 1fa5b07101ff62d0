using System;
using System.Diagnostics;
using System.Threading;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A cancellation that fires when a transfer makes no progress for a while (no headers, no
/// bytes either way), or when the caller cancels. A stalled connection then fails, or resumes,
/// instead of hanging forever; a slow but moving one is left alone however long it takes.
/// </summary>
internal sealed class IdleWatchdog : IDisposable
{
    readonly CancellationTokenSource _source;
    readonly CancellationToken _caller;
    TimeSpan _idle;
    TimeSpan? _afterAnswer; // set while a stream's first answer is due within a limit of its own
    long _rearmEvery;
    long _armedAt;

    public IdleWatchdog(CancellationToken caller, TimeSpan idle)
    {
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        Allow(idle);
    }

    /// <summary>
    /// For a stream whose first message is the answer to its request: that one is due within
    /// <paramref name="answerLimit"/> (a session's timeout, however short or long the stream's own
    /// allowance), each later one within <paramref name="idle"/> once <see cref="Answered"/> is called.
    /// An answer limit that does not limit leaves the first message to <paramref name="idle"/> as well.
    /// </summary>
    public static IdleWatchdog ForStream(CancellationToken caller, TimeSpan answerLimit, TimeSpan idle) =>
        TimeLimit.Limits(answerLimit)
            ? new IdleWatchdog(caller, answerLimit) { _afterAnswer = idle }
            : new IdleWatchdog(caller, idle);

    /// <summary>
    /// Re-arming on every chunk would move a timer thousands of times a second; a quarter of the
    /// allowance is precise enough.
    /// </summary>
    long RearmEvery() => Enabled ? (long)(Stopwatch.Frequency * _idle.TotalSeconds / 4) : long.MaxValue;

    bool Enabled => TimeLimit.Limits(_idle);

    public TimeSpan Idle => _idle;

    public CancellationToken Token => _source.Token;

    /// <summary>True when the watchdog fired for lack of progress, not because the caller cancelled.</summary>
    public bool Fired => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>Progress was made: the silence allowance starts again.</summary>
    public void Pet()
    {
        if (Enabled && Stopwatch.GetTimestamp() - _armedAt >= _rearmEvery)
        {
            Arm();
        }
    }

    /// <summary>Progress was made: the silence allowance starts again now, however recently it last did.</summary>
    public void Restart() => Arm();

    /// <summary>True while the first answer of a <see cref="ForStream"/> watchdog is due within its own limit.</summary>
    public bool AwaitsAnswer => _afterAnswer is not null;

    /// <summary>The stream's answer came: from now on its later allowance applies, counted from now. Once only.</summary>
    public void Answered()
    {
        if (_afterAnswer is TimeSpan idle)
        {
            _afterAnswer = null;
            Allow(idle);
        }
    }

    /// <summary>From now on, allows <paramref name="idle"/> of silence, counted from now.</summary>
    public void Allow(TimeSpan idle)
    {
        _idle = idle;
        _rearmEvery = RearmEvery();
        Arm();
    }

    void Arm()
    {
        _armedAt = Stopwatch.GetTimestamp();
        try
        {
            // Without an allowance, a timer set earlier must not fire either.
            _source.CancelAfter(Enabled ? _idle : Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _source.Dispose();
}
