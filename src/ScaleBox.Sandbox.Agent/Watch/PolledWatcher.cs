using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>
/// A watcher made by CreateWatcher: events accumulate in a bounded queue until GetWatcherEvents
/// drains them. A full queue drops its oldest event and counts it, so the next drain can say how
/// many were lost; a kernel queue overflow is remembered the same way.
/// </summary>
sealed class PolledWatcher : IWatchSink, IDisposable
{
    readonly Lock _gate = new();
    readonly Queue<FilesystemEvent> _events = new();
    readonly int _capacity;
    DirectoryWatch? _watch;
    long _dropped;
    bool _overflowed;
    long _lastDrained = Environment.TickCount64;

    PolledWatcher(string id, int capacity)
    {
        Id = id;
        _capacity = capacity;
    }

    public string Id { get; }

    public static PolledWatcher Start(string path, bool recursive, int capacity)
    {
        var watcher = new PolledWatcher(Guid.NewGuid().ToString(), capacity);
        watcher._watch = DirectoryWatch.Start(path, recursive, watcher);
        return watcher;
    }

    /// <summary>How long since it was made or last drained.</summary>
    public TimeSpan Idle => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastDrained));

    public WatcherDrain Drain()
    {
        lock (_gate)
        {
            var drain = new WatcherDrain(_events.ToArray(), _dropped, _overflowed);
            _events.Clear();
            _dropped = 0;
            _overflowed = false;
            Volatile.Write(ref _lastDrained, Environment.TickCount64);
            return drain;
        }
    }

    public void Deliver(FilesystemEvent e, CancellationToken stopping)
    {
        lock (_gate)
        {
            if (_events.Count >= _capacity)
            {
                _events.Dequeue();
                _dropped++;
            }
            _events.Enqueue(e);
        }
    }

    public void Overflowed()
    {
        lock (_gate) _overflowed = true;
    }

    public void Ended()
    {
        // The folder went away: what was gathered stays until drained or removed.
    }

    public void Dispose() => _watch?.Dispose();
}
