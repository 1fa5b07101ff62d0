using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Watch;

/// <summary>
/// The object Register-SbxWatcher subscribes to: a background pump of a reconnecting watch hands
/// each change, in the order the agent sent them, to the delivery given to <see cref="Start"/>,
/// so PowerShell's own event machinery (Get-Event, Wait-Event, -Action, Unregister-Event) works
/// on sandbox changes. Disposing it ends the watch on the agent.
/// </summary>
public sealed class SbxWatcherEventSource : IDisposable
{
    readonly CancellationTokenSource _stop = new CancellationTokenSource();
    readonly SbxSession _session;
    IAsyncEnumerator<SandboxWatchEvent>? _events;
    Action<SbxWatcherEventArgs> _deliver = _ => { };
    Task? _pump;
    int _disposed;

    readonly Func<string, bool>? _nameFilter;

    /// <param name="nameFilter">Which changed entries' names come through (Register-SbxWatcher -Filter); null for all.</param>
    internal SbxWatcherEventSource(SbxSession session, string path, bool recursive, Func<string, bool>? nameFilter = null)
    {
        _session = session;
        Path = path;
        Recursive = recursive;
        _nameFilter = nameFilter;
    }

    /// <summary>
    /// The event Register-SbxWatcher subscribes to: PowerShell registers a subscription on a CLR
    /// event. It is never raised: the changes go to the subscription through the delivery given
    /// to <see cref="Start"/>, in order, which raising it would not keep.
    /// </summary>
#pragma warning disable CS0067 // never raised, by design (see above)
    public event EventHandler<SbxWatcherEventArgs>? Changed;
#pragma warning restore CS0067

    /// <summary>The watched directory (absolute once the watch has started).</summary>
    public string Path { get; private set; }

    public bool Recursive { get; }

    /// <summary>Whether the watch is still running.</summary>
    public bool IsWatching => _pump is not null && !_pump.IsCompleted;

    /// <summary>
    /// Opens the watch and waits for the agent's start, so a missing directory or a file path is
    /// an error of the registration. Changes made from now on are held until <see cref="Start"/>.
    /// </summary>
    internal async Task OpenAsync(CancellationToken cancellationToken)
    {
        var options = new SandboxWatchOptions { Recursive = Recursive, Reconnect = true, NameFilter = _nameFilter };
        _events = _session.Client.Watchers.WatchAsync(Path, options, _stop.Token).GetAsyncEnumerator(_stop.Token);
        using (cancellationToken.Register(state => ((CancellationTokenSource)state!).Cancel(), _stop))
        {
            try
            {
                while (await _events.MoveNextAsync().ConfigureAwait(false))
                {
                    if (_events.Current is SandboxWatchStarted started)
                    {
                        Path = started.WatchedPath;
                        return;
                    }
                }
            }
            catch
            {
                await _events.DisposeAsync().ConfigureAwait(false);
                _events = null;
                throw;
            }
        }
    }

    /// <summary>
    /// Starts handing out events (after the subscription is in place) to <paramref name="deliver"/>,
    /// called on the pump's thread for one event at a time, in the watch's order.
    /// </summary>
    internal void Start(Action<SbxWatcherEventArgs> deliver)
    {
        if (_events is null)
        {
            throw new InvalidOperationException("The watch is not open.");
        }
        _deliver = deliver;
        _pump = Task.Run(PumpAsync);
    }

    async Task PumpAsync()
    {
        IAsyncEnumerator<SandboxWatchEvent> events = _events!;
        try
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                switch (events.Current)
                {
                    case SandboxFileChange change:
                        Raise(SbxWatcherEventArgs.Of(_session, change));
                        break;
                    case SandboxWatchGap gap:
                        Raise(SbxWatcherEventArgs.Of(_session, gap));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Unsubscribed: the watch ends quietly.
        }
        catch (SandboxException e)
        {
            Raise(SbxWatcherEventArgs.Of(_session, Path, e));
        }
        catch (ObjectDisposedException)
        {
            // The session was closed under the watch.
        }
        finally
        {
            try
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Ending the call is best effort; the watch is over either way.
            }
        }
    }

    void Raise(SbxWatcherEventArgs args)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _deliver(args);
        }
    }

    /// <summary>Ends the watch on the agent. Safe to call more than once, from any thread.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stop.Cancel();
        if (_pump is null && _events is not null)
        {
            _ = _events.DisposeAsync().AsTask();
        }
    }

    public override string ToString() => $"Sandbox watcher of {Path} in {_session.Domain}";
}
