using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>
/// One WatchDir stream, read to its end: the start, then changes, keepalives swallowed. The stream
/// has no deadline (a watch lasts as long as the caller wants), so silence is the only sign of a
/// dead connection: a stream that brings nothing, not even a keepalive, for two keepalive
/// intervals and a second (as a process stream) is taken as dropped and fails with Unavailable.
/// Every failure past the start says what a caller does next: watch again, and list the folder.
/// </summary>
internal sealed class WatchStream
{
    readonly SandboxConnection _connection;
    readonly Proto.Filesystem.FilesystemClient _rpc;
    readonly string _fullPath;
    readonly bool _recursive;
    readonly TimeSpan _keepalive;

    public WatchStream(SandboxConnection connection, Proto.Filesystem.FilesystemClient rpc, string fullPath, bool recursive, TimeSpan keepalive)
    {
        _connection = connection;
        _rpc = rpc;
        _fullPath = fullPath;
        _recursive = recursive;
        _keepalive = keepalive;
    }

    const string Operation = "watch directory";

    /// <summary>The allowance of silence: two keepalive intervals, and a second for the last one to arrive.</summary>
    public TimeSpan SilenceLimit => ProcessEventStream.SilenceLimit(_keepalive);

    /// <summary>What the caller does after losing the stream: the agent does not replay what it missed.</summary>
    const string WhatToDo = "Changes from now on are not reported: watch the folder again once the agent answers, "
        + "and list it to learn what changed meanwhile.";

    public async IAsyncEnumerable<SandboxWatchEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The start is the answer to the request: it is due within the session's timeout, as any
        // answer is, however short the keepalive interval (the agent may walk a large tree before
        // it answers, and sends keepalives only once the watch runs); and no later than that, so
        // that a reconnecting watch does not spend two keepalive intervals on each try at a frozen
        // agent. A session without a timeout leaves the start to the silence allowance.
        TimeSpan answerLimit = _connection.Options.Timeout;
        using var watchdog = IdleWatchdog.ForStream(cancellationToken, answerLimit, SilenceLimit);
        CallOptions options = _connection.CallOptions(watchdog.Token, Timeout.InfiniteTimeSpan);
        // The same header the official SDKs send on process streams, understood by the agent for watches too.
        options.Headers!.Add(SandboxProcesses.KeepaliveHeader, SandboxProcesses.KeepaliveSeconds(_keepalive));
        var request = new Proto.WatchDirRequest { Path = _fullPath, Recursive = _recursive };
        using AsyncServerStreamingCall<Proto.WatchDirResponse> call = _rpc.WatchDir(request, options);
        bool started = false;
        while (true)
        {
            // Time the consumer spends on an event is not the agent's silence.
            watchdog.Pet();
            bool more;
            try
            {
                more = await call.ResponseStream.MoveNext(watchdog.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (watchdog.AwaitsAnswer && watchdog.Fired)
            {
                throw new SandboxException(SandboxErrorCode.DeadlineExceeded,
                    $"The sandbox agent at '{_connection.Endpoint.Domain}' did not start the watch of '{_fullPath}' within the session's timeout of "
                    + $"{TimeLimit.InSeconds(answerLimit)}: the agent may be frozen or the connection dead. "
                    + "Watch the folder again once the agent answers.",
                    null, _fullPath, _connection.Endpoint.Domain, e);
            }
            catch (Exception e)
            {
                throw Failure(e, watchdog, started, cancellationToken);
            }
            if (!more)
            {
                throw new SandboxException(SandboxErrorCode.Aborted,
                    $"The sandbox agent at '{_connection.Endpoint.Domain}' closed the watch of '{_fullPath}'"
                    + (started ? ". " + WhatToDo : " before it started."),
                    null, _fullPath, _connection.Endpoint.Domain);
            }
            watchdog.Pet();
            Proto.WatchDirResponse response = call.ResponseStream.Current;
            switch (response.EventCase)
            {
                case Proto.WatchDirResponse.EventOneofCase.Start:
                    started = true;
                    watchdog.Answered(); // from now on the agent's keepalives are due
                    yield return new SandboxWatchStarted(_fullPath, _recursive, DateTime.Now);
                    break;
                case Proto.WatchDirResponse.EventOneofCase.Filesystem:
                    SandboxFileChange change = response.Filesystem.ToChange(_fullPath, DateTime.Now);
                    yield return change;
                    if (change.IsWatchedFolder && change.ChangeType is SandboxChangeType.Remove or SandboxChangeType.Rename)
                    {
                        // The agent keeps such a stream open with nothing more to report; a watch that
                        // went on waiting would be silent for good.
                        throw FolderGone(change.ChangeType);
                    }
                    break;
                default:
                    // A keepalive, or an event kind this client does not know: proof of life only.
                    break;
            }
        }
    }

    SandboxException FolderGone(SandboxChangeType change) => new SandboxException(SandboxErrorCode.NotFound,
        $"The watched folder '{_fullPath}' was {(change == SandboxChangeType.Remove ? "removed" : "moved away or renamed")} in the sandbox "
        + $"at '{_connection.Endpoint.Domain}': nothing more is reported. Watch it again once it exists.",
        null, _fullPath, _connection.Endpoint.Domain);

    Exception Failure(Exception error, IdleWatchdog watchdog, bool started, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("Stopped watching " + _fullPath + ".", error, cancellationToken);
        }
        if (watchdog.Fired)
        {
            return new SandboxException(SandboxErrorCode.Unavailable,
                $"The watch of '{_fullPath}' at '{_connection.Endpoint.Domain}' brought nothing, not even a keepalive, for "
                + $"{TimeLimit.InSeconds(SilenceLimit)} (one was due every {TimeLimit.InSeconds(_keepalive)}): the agent may be frozen or the connection dead. "
                + WhatToDo,
                null, _fullPath, _connection.Endpoint.Domain, error);
        }
        Exception translated = _connection.Errors.Translate(error, Operation, _fullPath, cancellationToken);
        if (started && translated is SandboxException cut && cut.Code != SandboxErrorCode.Unauthenticated)
        {
            return new SandboxException(cut.Code,
                $"The watch of '{_fullPath}' at '{_connection.Endpoint.Domain}' was cut ({cut.ServerMessage ?? cut.Message}). "
                + WhatToDo,
                cut.ServerMessage, _fullPath, _connection.Endpoint.Domain, cut);
        }
        return translated;
    }
}
