using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Watch
{
    /// <summary>
    /// One WatchDir stream, read to its end: the start, then changes, keepalives swallowed. The stream
    /// has no deadline (a watch lasts as long as the caller wants), so silence is the only sign of a
    /// dead connection: a stream that brings nothing, not even a keepalive, for two keepalive
    /// intervals is taken as dropped and fails with Unavailable.
    /// </summary>
    internal sealed class WatchStream
    {
        readonly SandboxClient _client;
        readonly Proto.Filesystem.FilesystemClient _rpc;
        readonly string _fullPath;
        readonly bool _recursive;
        readonly TimeSpan _keepalive;

        public WatchStream(SandboxClient client, Proto.Filesystem.FilesystemClient rpc, string fullPath, bool recursive, TimeSpan keepalive)
        {
            _client = client;
            _rpc = rpc;
            _fullPath = fullPath;
            _recursive = recursive;
            _keepalive = keepalive;
        }

        const string Operation = "watch directory";

        /// <summary>The allowance of silence: two keepalive intervals.</summary>
        public TimeSpan SilenceLimit => TimeSpan.FromTicks(_keepalive.Ticks * 2);

        public async IAsyncEnumerable<SandboxWatchEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            using var watchdog = new IdleWatchdog(cancellationToken, SilenceLimit);
            CallOptions options = _client.CallOptions(watchdog.Token, Timeout.InfiniteTimeSpan);
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
                catch (Exception e)
                {
                    throw Failure(e, watchdog, started, cancellationToken);
                }
                if (!more)
                {
                    throw new SandboxException(SandboxErrorCode.Aborted,
                        $"The sandbox agent at '{_client.Endpoint.Domain}' closed the watch of '{_fullPath}'"
                        + (started ? "; changes from now on are not reported." : " before it started."),
                        null, _fullPath, _client.Endpoint.Domain);
                }
                watchdog.Pet();
                Proto.WatchDirResponse response = call.ResponseStream.Current;
                switch (response.EventCase)
                {
                    case Proto.WatchDirResponse.EventOneofCase.Start:
                        started = true;
                        yield return new SandboxWatchStarted(_fullPath, _recursive, DateTime.Now);
                        break;
                    case Proto.WatchDirResponse.EventOneofCase.Filesystem:
                        yield return response.Filesystem.ToChange(_fullPath, DateTime.Now);
                        break;
                    default:
                        // A keepalive, or an event kind this client does not know: proof of life only.
                        break;
                }
            }
        }

        Exception Failure(Exception error, IdleWatchdog watchdog, bool started, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return new OperationCanceledException("Stopped watching " + _fullPath + ".", error, cancellationToken);
            }
            if (watchdog.Fired)
            {
                return new SandboxException(SandboxErrorCode.Unavailable,
                    $"The watch of '{_fullPath}' at '{_client.Endpoint.Domain}' brought nothing, not even a keepalive, for "
                    + $"{SilenceLimit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s: the connection is taken as dropped.",
                    null, _fullPath, _client.Endpoint.Domain, error);
            }
            Exception translated = _client.Errors.Translate(error, Operation, _fullPath, cancellationToken);
            if (started && translated is SandboxException cut && cut.Code != SandboxErrorCode.Unauthenticated)
            {
                return new SandboxException(cut.Code,
                    $"The watch of '{_fullPath}' at '{_client.Endpoint.Domain}' was cut ({cut.ServerMessage ?? cut.Message}); "
                    + "changes from now on are not reported.",
                    cut.ServerMessage, _fullPath, _client.Endpoint.Domain, cut);
            }
            return translated;
        }
    }
}
