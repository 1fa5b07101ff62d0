using System.Collections.Concurrent;
using Grpc.Core;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>
/// The CreateWatcher watchers by id. A watcher nobody drains for <see cref="AgentOptions.WatcherExpiry"/>
/// (its client is gone for good) is removed as if RemoveWatcher had been called, so that forgotten
/// watchers do not hold inotify watches and memory for the agent's lifetime.
/// </summary>
public sealed class WatcherRegistry : IDisposable
{
    readonly ConcurrentDictionary<string, PolledWatcher> _watchers = new(StringComparer.Ordinal);
    readonly AgentOptions _options;
    readonly Timer _sweeper;

    public WatcherRegistry(AgentOptions options)
    {
        _options = options;
        // Checking a few times per expiry period keeps the overshoot small without busy work.
        TimeSpan every = TimeSpan.FromTicks(Math.Clamp(options.WatcherExpiry.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(30).Ticks));
        _sweeper = new Timer(_ => Sweep(), null, every, every);
    }

    internal string Create(string path, bool recursive)
    {
        PolledWatcher watcher = PolledWatcher.Start(path, recursive, _options.WatcherCapacity);
        _watchers[watcher.Id] = watcher;
        return watcher.Id;
    }

    internal WatcherDrain Drain(string id) => Find(id).Drain();

    internal void Remove(string id)
    {
        if (!_watchers.TryRemove(id, out PolledWatcher? watcher))
        {
            throw NotFound(id);
        }
        watcher.Dispose();
    }

    PolledWatcher Find(string id) => _watchers.TryGetValue(id, out PolledWatcher? watcher) ? watcher : throw NotFound(id);

    void Sweep()
    {
        foreach (PolledWatcher watcher in _watchers.Values)
        {
            if (watcher.Idle >= _options.WatcherExpiry && _watchers.TryRemove(watcher.Id, out _))
            {
                watcher.Dispose();
            }
        }
    }

    static RpcException NotFound(string id) => new(new Status(StatusCode.NotFound, $"watcher with id {id} not found"));

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (string id in _watchers.Keys)
        {
            if (_watchers.TryRemove(id, out PolledWatcher? watcher))
            {
                watcher.Dispose();
            }
        }
    }
}
