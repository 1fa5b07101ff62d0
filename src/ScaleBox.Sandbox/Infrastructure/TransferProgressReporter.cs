using System;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Turns a transfer's byte counts into Write-Progress records with bytes, rate and time left,
/// a few times a second at most (progress is costly in a console), and always ends with a
/// Completed record. Disabled entirely when $ProgressPreference is SilentlyContinue.
/// </summary>
public sealed class TransferProgressReporter
{
    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    readonly OutputSink _sink;
    readonly int _activityId;
    readonly string _activity;
    readonly bool _enabled;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly object _gate = new object();
    TimeSpan? _lastReport;
    bool _reported;

    public TransferProgressReporter(OutputSink sink, int activityId, string activity, bool enabled)
    {
        _sink = sink;
        _activityId = activityId;
        _activity = activity;
        _enabled = enabled;
    }

    /// <summary>Progress of one file of <paramref name="totalBytes"/> bytes (negative when unknown).</summary>
    public IProgress<long> ForFile(string path, long totalBytes)
    {
        TimeSpan start = _clock.Elapsed;
        return new Reporter<long>(bytes =>
        {
            TimeSpan elapsed = _clock.Elapsed - start;
            Report(path, bytes, totalBytes, elapsed.TotalSeconds > 0 ? bytes / elapsed.TotalSeconds : 0);
        });
    }

    /// <summary>Progress of a directory copy, as the library reports it.</summary>
    public IProgress<SandboxTransferProgress> ForTree() =>
        new Reporter<SandboxTransferProgress>(p =>
            Report($"{p.CurrentPath} ({p.FilesCompleted}/{p.TotalFiles} files)", p.BytesTransferred, p.TotalBytes, p.BytesPerSecond));

    /// <summary>Removes the progress bar; call it whatever the outcome.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (!_enabled || !_reported)
            {
                return;
            }
            _sink.TryWriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    void Report(string path, long bytes, long total, double bytesPerSecond)
    {
        if (!_enabled)
        {
            return;
        }
        lock (_gate)
        {
            TimeSpan now = _clock.Elapsed;
            bool finished = total >= 0 && bytes >= total;
            if (_lastReport is { } last && now - last < Interval && !finished)
            {
                return;
            }
            _lastReport = now;
            _reported = true;

            string status = total >= 0
                ? $"{FormatBytes(bytes)} of {FormatBytes(total)} at {FormatBytes((long)bytesPerSecond)}/s"
                : $"{FormatBytes(bytes)} at {FormatBytes((long)bytesPerSecond)}/s";
            var record = new ProgressRecord(_activityId, _activity, status) { CurrentOperation = path };
            if (total > 0)
            {
                record.PercentComplete = (int)Math.Min(100, bytes * 100 / total);
                if (bytesPerSecond > 0)
                {
                    record.SecondsRemaining = (int)Math.Min(int.MaxValue, Math.Max(0, (total - bytes) / bytesPerSecond));
                }
            }
            _sink.TryWriteProgress(record);
        }
    }

    public static string FormatBytes(long bytes)
    {
        string[] units = { "B", "KB", "MB", "GB", "TB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? bytes.ToString(CultureInfo.CurrentCulture) + " B"
            : value.ToString("0.0", CultureInfo.CurrentCulture) + " " + units[unit];
    }

    /// <summary>Calls back on the reporting thread, unlike Progress&lt;T&gt; which posts to a captured context.</summary>
    sealed class Reporter<T> : IProgress<T>
    {
        readonly Action<T> _report;

        public Reporter(Action<T> report) => _report = report;

        public void Report(T value) => _report(value);
    }
}
