using System;
using System.Diagnostics;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Forwards a running byte count to a caller's <see cref="IProgress{T}"/> at most every 100 ms,
/// plus once at the end, so a fast copy does not flood whoever draws the progress bar.
/// Values are cumulative, so a report that arrives late or out of order is harmless.
/// </summary>
internal sealed class ProgressThrottle
{
    internal static readonly long Interval = Stopwatch.Frequency / 10;

    readonly IProgress<long>? _target;
    long _lastReportAt;
    long _lastValue = -1;

    public ProgressThrottle(IProgress<long>? target)
    {
        _target = target;
        _lastReportAt = Stopwatch.GetTimestamp() - Interval; // the first chunk is reported at once
    }

    public void Report(long value)
    {
        if (_target is null)
        {
            return;
        }
        long now = Stopwatch.GetTimestamp();
        if (now - _lastReportAt >= Interval)
        {
            _lastReportAt = now;
            _lastValue = value;
            _target.Report(value);
        }
    }

    /// <summary>The final count, unless it was the last one reported.</summary>
    public void Complete(long value)
    {
        if (_target is not null && value != _lastValue)
        {
            _lastValue = value;
            _target.Report(value);
        }
    }
}
