using System;
using System.Diagnostics;

namespace ScaleBox.Sandbox.Client.Transfer
{
    /// <summary>
    /// Progress of a directory copy: bytes of finished files plus the current file's bytes, against
    /// the total known from the listing. Reports at most every 100 ms, and once at the end. A file
    /// that is skipped or fails leaves the total, so the bar still reaches 100 %.
    /// </summary>
    internal sealed class TreeProgress
    {
        readonly IProgress<SandboxTransferProgress>? _target;
        readonly Stopwatch _clock = Stopwatch.StartNew();
        readonly object _gate = new object();
        readonly int _totalFiles;
        long _totalBytes;
        long _finishedBytes;
        long _currentBytes;
        int _filesCompleted;
        string _currentPath = string.Empty;
        long _lastReportAt = -ProgressThrottle.Interval;

        public TreeProgress(IProgress<SandboxTransferProgress>? target, long totalBytes, int totalFiles)
        {
            _target = target;
            _totalBytes = totalBytes;
            _totalFiles = totalFiles;
            FileBytes = new CurrentFileProgress(this);
        }

        /// <summary>Takes the running byte count of the file being copied.</summary>
        public IProgress<long> FileBytes { get; }

        public void StartFile(string path)
        {
            lock (_gate)
            {
                _currentPath = path;
                _currentBytes = 0;
            }
            Report(force: false);
        }

        /// <summary>The file is done: its bytes count as transferred.</summary>
        public void FileCopied(long bytes)
        {
            lock (_gate)
            {
                _finishedBytes += bytes;
                _currentBytes = 0;
                _filesCompleted++;
            }
            Report(force: false);
        }

        /// <summary>The file was not copied: its planned bytes leave the total.</summary>
        public void FileNotCopied(long plannedBytes)
        {
            lock (_gate)
            {
                _totalBytes = Math.Max(0, _totalBytes - plannedBytes);
                _currentBytes = 0;
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
                snapshot = new SandboxTransferProgress(_currentPath, _finishedBytes + _currentBytes, _totalBytes,
                    _filesCompleted, _totalFiles, _clock.Elapsed);
            }
            _target.Report(snapshot);
        }

        sealed class CurrentFileProgress : IProgress<long>
        {
            readonly TreeProgress _owner;

            public CurrentFileProgress(TreeProgress owner) => _owner = owner;

            public void Report(long value)
            {
                lock (_owner._gate)
                {
                    _owner._currentBytes = value;
                }
                _owner.Report(force: false);
            }
        }
    }
}
