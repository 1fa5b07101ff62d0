using System;
using Grpc.Core;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>
/// Directory watches: a stream of changes as they happen (<see cref="WatchAsync"/>, optionally
/// reconnecting on its own), or a watcher kept by the agent that is drained on demand
/// (<see cref="CreateAsync"/>, <see cref="GetEventsAsync"/>, <see cref="RemoveAsync"/>).
/// <para>
/// A stream has no deadline: it lasts until the caller cancels or stops enumerating, which ends
/// the watch on the agent too. Paths relative or starting with <c>~</c> are resolved against the
/// agent user's home, so every event carries an absolute <see cref="SandboxFileChange.FullPath"/>.
/// </para>
/// </summary>
public sealed class SandboxWatchers
{
    readonly SandboxConnection _connection;
    readonly SandboxFileSystem _files;
    readonly Proto.Filesystem.FilesystemClient _rpc;

    internal SandboxWatchers(SandboxConnection connection, SandboxFileSystem files)
    {
        _connection = connection;
        _files = files;
        _rpc = new Proto.Filesystem.FilesystemClient(connection.Invoker);
    }

    string Domain => _connection.Endpoint.Domain;

    /// <summary>
    /// Watches a directory: <see cref="SandboxWatchStarted"/> once the agent watches, then a
    /// <see cref="SandboxFileChange"/> per change. With <see cref="SandboxWatchOptions.Reconnect"/>,
    /// a dropped stream is opened again with backoff and the time lost comes as a
    /// <see cref="SandboxWatchGap"/>; the first connection must succeed either way.
    /// </summary>
    /// <exception cref="ArgumentException">No path, or a keepalive interval under a second; thrown at once.</exception>
    /// <exception cref="SandboxException">
    /// While enumerating: NotFound when the directory does not exist, InvalidArgument when it is a
    /// file, Unavailable or Aborted when the stream was dropped (without Reconnect, or after
    /// <see cref="SandboxWatchOptions.MaxReconnectAttempts"/> failed tries).
    /// </exception>
    /// <exception cref="OperationCanceledException">While enumerating, when <paramref name="cancellationToken"/> was cancelled.</exception>
    public IAsyncEnumerable<SandboxWatchEvent> WatchAsync(string path, SandboxWatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A sandbox directory path is required to watch.", nameof(path));
        }
        options ??= new SandboxWatchOptions();
        if (options.KeepaliveInterval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.KeepaliveInterval, "The keepalive interval is whole seconds, at least 1.");
        }
        IAsyncEnumerable<SandboxWatchEvent> events = options.Reconnect
            ? WatchReconnecting(path, options, cancellationToken)
            : WatchOnce(path, options, cancellationToken);
        return options.NameFilter is { } keep ? Filtered(events, keep, cancellationToken) : events;
    }

    /// <summary>The changes whose entry's name passes <paramref name="keep"/>, and every other event.</summary>
    static async IAsyncEnumerable<SandboxWatchEvent> Filtered(IAsyncEnumerable<SandboxWatchEvent> events, Func<string, bool> keep,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (SandboxWatchEvent e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (e is SandboxFileChange change && !keep(change.EntryName))
            {
                continue;
            }
            yield return e;
        }
    }

    async IAsyncEnumerable<SandboxWatchEvent> WatchOnce(string path, SandboxWatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        WatchStream stream = await OpenAsync(path, options, cancellationToken).ConfigureAwait(false);
        await foreach (SandboxWatchEvent e in stream.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    async IAsyncEnumerable<SandboxWatchEvent> WatchReconnecting(string path, SandboxWatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        WatchStream stream = await OpenAsync(path, options, cancellationToken).ConfigureAwait(false);
        bool everStarted = false;
        DateTime? gapStarted = null;
        string? gapReason = null;
        int attempts = 0;
        while (true)
        {
            SandboxException? failure = null;
            await using (IAsyncEnumerator<SandboxWatchEvent> events = stream.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken))
            {
                while (true)
                {
                    try
                    {
                        if (!await events.MoveNextAsync().ConfigureAwait(false))
                        {
                            break; // Never happens: the reader throws when the stream ends.
                        }
                    }
                    catch (SandboxException e) when (everStarted && WatchReconnectPolicy.IsRetryable(e))
                    {
                        failure = e;
                        break;
                    }

                    if (events.Current is SandboxWatchStarted started)
                    {
                        if (gapStarted is DateTime since)
                        {
                            yield return new SandboxWatchGap(started.WatchedPath, since, started.TimeGenerated, gapReason!, attempts);
                        }
                        else if (!everStarted)
                        {
                            yield return started;
                        }
                        everStarted = true;
                        gapStarted = null;
                        gapReason = null;
                        attempts = 0;
                        continue;
                    }
                    yield return events.Current;
                }
            }

            if (failure is null)
            {
                continue;
            }
            gapStarted ??= DateTime.Now;
            gapReason ??= failure.Message;
            attempts++;
            if (options.MaxReconnectAttempts > 0 && attempts > options.MaxReconnectAttempts)
            {
                throw new SandboxException(failure.Code,
                    $"Gave up watching '{path}' at '{Domain}' after {options.MaxReconnectAttempts} failed attempts to reconnect "
                    + $"since {gapStarted:HH:mm:ss}: {failure.Message} Watch the folder again once the agent answers, "
                    + $"and list it to learn what changed since {gapStarted:HH:mm:ss}.",
                    failure.ServerMessage, failure.Target, Domain, failure);
            }
            await Task.Delay(WatchReconnectPolicy.DelayBefore(attempts, options), cancellationToken).ConfigureAwait(false);
        }

    }

    async Task<WatchStream> OpenAsync(string path, SandboxWatchOptions options, CancellationToken cancellationToken)
    {
        string fullPath = await _files.GetFullPathAsync(path, cancellationToken).ConfigureAwait(false);
        return new WatchStream(_connection, _rpc, fullPath, options.Recursive, options.KeepaliveInterval);
    }

    /// <summary>
    /// Waits for a path to exist and returns it: at once when it is already there, else when a
    /// watch of its parent directory sees it appear. The path is checked again once the watch
    /// has started (and after any reconnection gap), so an item made between the first check
    /// and the start of the watch is not missed. No deadline: cancel to stop waiting.
    /// </summary>
    /// <exception cref="SandboxException">NotFound when the parent directory does not exist.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SandboxItem> WaitForItemAsync(string path, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A sandbox path is required to wait for.", nameof(path));
        }
        string fullPath = await _files.GetFullPathAsync(path, cancellationToken).ConfigureAwait(false);
        if (await TryGetItemAsync(fullPath, cancellationToken).ConfigureAwait(false) is SandboxItem existing)
        {
            return existing;
        }
        string parent = SandboxPath.GetParent(fullPath);
        string leaf = SandboxPath.GetLeaf(fullPath);
        var options = new SandboxWatchOptions { Reconnect = true };
        await foreach (SandboxWatchEvent e in WatchAsync(parent, options, cancellationToken).ConfigureAwait(false))
        {
            bool mayHaveAppeared = e is SandboxWatchStarted || e is SandboxWatchGap
                || (e is SandboxFileChange change && change.Name == leaf && change.ChangeType != SandboxChangeType.Remove);
            if (mayHaveAppeared && await TryGetItemAsync(fullPath, cancellationToken).ConfigureAwait(false) is SandboxItem item)
            {
                return item;
            }
        }
        throw new InvalidOperationException("A reconnecting watch ended without an error."); // WatchAsync only ends by throwing.
    }

    async Task<SandboxItem?> TryGetItemAsync(string fullPath, CancellationToken cancellationToken)
    {
        try
        {
            return await _files.GetItemAsync(fullPath, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Creates a watcher that the agent keeps, gathering changes until drained.</summary>
    /// <exception cref="SandboxException">NotFound when the directory does not exist; InvalidArgument when it is a file.</exception>
    public async Task<SandboxWatcher> CreateAsync(string path, bool recursive = false, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A sandbox directory path is required to watch.", nameof(path));
        }
        string fullPath = await _files.GetFullPathAsync(path, cancellationToken).ConfigureAwait(false);
        return await Call("watch directory", fullPath, cancellationToken, async options =>
        {
            Proto.CreateWatcherResponse response = await _rpc
                .CreateWatcherAsync(new Proto.CreateWatcherRequest { Path = fullPath, Recursive = recursive }, options)
                .ConfigureAwait(false);
            return new SandboxWatcher(response.WatcherId, fullPath, recursive, Domain);
        }).ConfigureAwait(false);
    }

    /// <summary>The changes the watcher gathered since the last drain, oldest first; empty when nothing changed.</summary>
    /// <exception cref="SandboxException">NotFound when the agent does not know the watcher (removed, or the agent restarted).</exception>
    public async Task<IReadOnlyList<SandboxFileChange>> GetEventsAsync(SandboxWatcher watcher, CancellationToken cancellationToken = default) =>
        (await DrainAsync(watcher, cancellationToken).ConfigureAwait(false)).Changes;

    /// <summary>
    /// The changes the watcher gathered since the last drain, with what the agent says was lost
    /// meanwhile (the response headers <c>sbx-watcher-dropped-events</c> and <c>sbx-watcher-overflow</c>).
    /// </summary>
    /// <exception cref="SandboxException">NotFound when the agent does not know the watcher.</exception>
    public Task<SandboxWatcherDrain> DrainAsync(SandboxWatcher watcher, CancellationToken cancellationToken = default)
    {
        if (watcher is null)
        {
            throw new ArgumentNullException(nameof(watcher));
        }
        return DrainCall(watcher, cancellationToken, async options =>
        {
            using AsyncUnaryCall<Proto.GetWatcherEventsResponse> call = _rpc
                .GetWatcherEventsAsync(new Proto.GetWatcherEventsRequest { WatcherId = watcher.Id }, options);
            Proto.GetWatcherEventsResponse response = await call.ResponseAsync.ConfigureAwait(false);
            Metadata headers = await call.ResponseHeadersAsync.ConfigureAwait(false);
            // One time for the whole batch: the agent does not say when each change happened.
            DateTime received = DateTime.Now;
            var changes = response.Events.Select(e => e.ToChange(watcher.Path, received)).ToList();
            return new SandboxWatcherDrain(changes, DroppedCount(headers), headers.GetValue(OverflowHeader) == "true");
        });
    }

    /// <summary>
    /// A drain that got no answer says what becomes of the watcher: a frozen agent or a dead
    /// connection leaves it gathering changes on the agent, a restarted agent has forgotten it.
    /// </summary>
    async Task<T> DrainCall<T>(SandboxWatcher watcher, CancellationToken cancellationToken, Func<CallOptions, Task<T>> call)
    {
        try
        {
            return await Call("get the events of watcher", watcher.Id, cancellationToken, call).ConfigureAwait(false);
        }
        catch (SandboxException e) when (e.Code is SandboxErrorCode.Unavailable or SandboxErrorCode.DeadlineExceeded or SandboxErrorCode.Aborted)
        {
            throw new SandboxException(e.Code,
                e.Message + $" Watcher {watcher.Id} of '{watcher.Path}' keeps gathering changes on the agent: drain it again once the agent answers. "
                + "If the agent restarted meanwhile, the watcher is gone: make a new one and list the folder to learn what changed.",
                e.ServerMessage, e.Target, e.Domain, e);
        }
    }

    const string DroppedHeader = "sbx-watcher-dropped-events";
    const string OverflowHeader = "sbx-watcher-overflow";

    static long DroppedCount(Metadata headers) =>
        long.TryParse(headers.GetValue(DroppedHeader), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long dropped) ? dropped : 0;

    /// <summary>Ends a watcher on the agent.</summary>
    /// <exception cref="SandboxException">NotFound when the agent does not know the watcher.</exception>
    public Task RemoveAsync(SandboxWatcher watcher, CancellationToken cancellationToken = default)
    {
        if (watcher is null)
        {
            throw new ArgumentNullException(nameof(watcher));
        }
        return Call("remove watcher", watcher.Id, cancellationToken, async options =>
        {
            await _rpc.RemoveWatcherAsync(new Proto.RemoveWatcherRequest { WatcherId = watcher.Id }, options).ConfigureAwait(false);
            return true;
        });
    }

    async Task<T> Call<T>(string operation, string target, CancellationToken cancellationToken, Func<Grpc.Core.CallOptions, Task<T>> call)
    {
        try
        {
            return await call(_connection.CallOptions(cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is ArgumentException))
        {
            throw _connection.Errors.Translate(e, operation, target, cancellationToken);
        }
    }
}
