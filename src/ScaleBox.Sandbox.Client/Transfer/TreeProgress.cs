using System;
using System.Diagnostics;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Progress of a directory copy: bytes of finished files plus the bytes so far of every file in
/// flight (several at once when files are copied in parallel), against the total known from the
/// listing. Reports at most every 100 ms, and once at the end. A file that is skipped or fails
/// leaves the total, so the bar still reaches 100 %.
/// </summary>
internal sealed class TreeProgress
{
    readonly IProgress<SandboxTransferProgress>? _target;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly object _gate = new object();
    readonly int _totalFiles;
    long _totalBytes;
    long _finishedBytes;
    long _inFlightBytes;
    int _filesCompleted;
    string _currentPath = string.Empty;
    long _lastReportAt = -ProgressThrottle.Interval;

    public TreeProgress(IProgress<SandboxTransferProgress>? target, long totalBytes, int totalFiles)
    {
        _target = target;
        _totalBytes = totalBytes;
        _totalFiles = totalFiles;
    }

    /// <summary>A file starts: the returned progress takes its running byte count.</summary>
    public FileProgress StartFile(string path)
    {
        lock (_gate)
        {
            _currentPath = path;
        }
        Report(force: false);
        return new FileProgress(this);
    }

    /// <summary>The file is done: its bytes count as transferred.</summary>
    public void FileCopied(FileProgress file, long bytes)
    {
        lock (_gate)
        {
            _inFlightBytes -= file.Bytes;
            file.Bytes = 0;
            file.Finished = true;
            _finishedBytes += bytes;
            _filesCompleted++;
        }
        Report(force: false);
    }

    /// <summary>The file was not copied: its planned bytes leave the total.</summary>
    public void FileNotCopied(FileProgress? file, long plannedBytes)
    {
        lock (_gate)
        {
            if (file is not null)
            {
                _inFlightBytes -= file.Bytes;
                file.Bytes = 0;
                file.Finished = true;
            }
            _totalBytes = Math.Max(0, _totalBytes - plannedBytes);
            _filesCompleted++;
        }
        Report(force: false);
    }

    public void Complete() => Report(force: true);

    void Report(bool force)
    {
        if (_target is null)
        {
            return;
        }
        SandboxTransferProgress snapshot;
        lock (_gate)
        {
            long now = _clock.ElapsedTicks;
            if (!force && now - _lastReportAt < ProgressThrottle.Interval)
            {
                return;
            }
            _lastReportAt = now;
            snapshot = new SandboxTransferProgress(_currentPath, _finishedBytes + _inFlightBytes, _totalBytes,
                _filesCompleted, _totalFiles, _clock.Elapsed);
        }
        _target.Report(snapshot);
    }

    /// <summary>One file in flight; its running count adds to the tree's until it is copied or given up.</summary>
    internal sealed class FileProgress : IProgress<long>
    {
        readonly TreeProgress _owner;

        public FileProgress(TreeProgress owner) => _owner = owner;

        internal long Bytes;
        internal bool Finished;

        public void Report(long value)
        {
            lock (_owner._gate)
            {
                if (Finished)
                {
                    return; // a late report from a file already counted
                }
                _owner._inFlightBytes += value - Bytes;
                Bytes = value;
            }
            _owner.Report(force: false);
        }
    }
}
