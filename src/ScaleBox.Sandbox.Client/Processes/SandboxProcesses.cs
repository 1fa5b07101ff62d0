using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// The sandbox's processes: start one and follow its output, attach to a running one, list them,
/// send input and signals, resize a terminal, wait for an exit.
/// <para>
/// Processes belong to the sandbox, not to a stream: when a stream ends early (the caller
/// cancels, stops reading, or the connection drops) the process keeps running, and
/// <see cref="ConnectAsync"/> by pid or tag attaches to it again. Output is not replayed:
/// an attached stream carries what the process writes from then on. No call made here puts a
/// deadline on a process unless <see cref="SandboxProcessStartInfo.Timeout"/> asks for one.
/// </para>
/// </summary>
public sealed class SandboxProcesses
{
    /// <summary>The header the official SDKs use to ask for keepalive events on an idle stream, in seconds.</summary>
    internal const string KeepaliveHeader = "keepalive-ping-interval";

    readonly SandboxConnection _connection;
    readonly Proto.Process.ProcessClient _rpc;

    internal SandboxProcesses(SandboxConnection connection)
    {
        _connection = connection;
        _rpc = new Proto.Process.ProcessClient(connection.Invoker);
    }

    string Domain => _connection.Endpoint.Domain;

    /// <summary>How long to wait for a call to settle once its outcome is known: the session's timeout, or 30 s.</summary>
    TimeSpan SettleLimit => _connection.Options.Timeout > TimeSpan.Zero ? _connection.Options.Timeout : SandboxClientOptions.DefaultTimeout;

    /// <summary>
    /// Starts a process and streams its events as they happen: <see cref="SandboxProcessStarted"/>
    /// first, then <see cref="SandboxProcessOutput"/> chunks, and <see cref="SandboxProcessExit"/>
    /// last. The library holds one chunk at a time, never the whole output; a consumer that reads
    /// slowly slows the process's output down.
    /// <para>
    /// The process lives as long as it runs, or until <see cref="SandboxProcessStartInfo.Timeout"/>
    /// passes (then the agent kills it and the stream throws DeadlineExceeded). Cancelling
    /// <paramref name="cancellationToken"/>, or ending the enumeration early, stops the stream only:
    /// the process keeps running in the sandbox (the agent's rule); stop it with
    /// <see cref="SendSignalAsync"/>, or attach again with <see cref="ConnectAsync"/>.
    /// </para>
    /// </summary>
    /// <exception cref="ArgumentException">The start info cannot be sent (no program, a null argument...); thrown at once.</exception>
    /// <exception cref="SandboxException">
    /// While enumerating: InvalidArgument when the program or working directory is not there;
    /// DeadlineExceeded when the timeout passed, when the start did not come within the session's timeout,
    /// or when nothing (not even a keepalive) arrived for two keepalive intervals and a second after it
    /// (a frozen agent, a dead connection); Unavailable or Aborted when the stream was cut
    /// after the start (the message names the pid: the process may still be running).
    /// </exception>
    /// <exception cref="OperationCanceledException">While enumerating, when <paramref name="cancellationToken"/> was cancelled.</exception>
    public IAsyncEnumerable<SandboxProcessEvent> StartAsync(SandboxProcessStartInfo info, CancellationToken cancellationToken = default)
    {
        if (info is null)
        {
            throw new ArgumentNullException(nameof(info));
        }
        Proto.StartRequest request = info.ToRequest();
        TimeSpan? timeout = info.EffectiveTimeout;
        string keepalive = KeepaliveSeconds(info.KeepaliveInterval);
        return StartCore(request, info.CommandLine, timeout, keepalive, cancellationToken);
    }

    async IAsyncEnumerable<SandboxProcessEvent> StartCore(Proto.StartRequest request, string commandLine, TimeSpan? timeout,
        string keepalive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The process's lifetime is the caller's choice; the session's timeout is for unary calls.
        CallOptions options = _connection.CallOptions(cancellationToken, timeout ?? Timeout.InfiniteTimeSpan);
        options.Headers!.Add(KeepaliveHeader, keepalive);
        var stream = new ProcessEventStream(_connection.Errors, Domain, "start process", commandLine, decode: true,
            timeout, options.Deadline, SettleLimit, KeepaliveOf(keepalive), _connection.Options.Timeout);
        using AsyncServerStreamingCall<Proto.StartResponse> call = _rpc.Start(request, options);
        await foreach (SandboxProcessEvent e in stream.ReadAsync(call.ResponseStream, r => r.Event, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>
    /// Attaches to a process: <see cref="SandboxProcessStarted"/>, then its output from now on (no
    /// replay), then <see cref="SandboxProcessExit"/>. For a process that has ended and is still
    /// remembered by the agent: the start and the exit only. No deadline; cancelling stops the
    /// stream, never the process.
    /// </summary>
    /// <exception cref="SandboxException">
    /// While enumerating: NotFound for an unknown pid or tag; Unavailable or Aborted when the
    /// stream was cut before the exit (the message names the pid).
    /// </exception>
    public IAsyncEnumerable<SandboxProcessEvent> ConnectAsync(SandboxProcessSelector selector, CancellationToken cancellationToken = default)
    {
        if (selector is null)
        {
            throw new ArgumentNullException(nameof(selector));
        }
        return ConnectCore(selector, decode: true, cancellationToken);
    }

    async IAsyncEnumerable<SandboxProcessEvent> ConnectCore(SandboxProcessSelector selector, bool decode,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        CallOptions options = _connection.CallOptions(cancellationToken, Timeout.InfiniteTimeSpan);
        options.Headers!.Add(KeepaliveHeader, KeepaliveSeconds(SandboxProcessStartInfo.DefaultKeepaliveInterval));
        var stream = new ProcessEventStream(_connection.Errors, Domain, "attach to process", selector.ToString(), decode,
            null, null, SettleLimit, KeepaliveOf(KeepaliveSeconds(SandboxProcessStartInfo.DefaultKeepaliveInterval)), _connection.Options.Timeout);
        using AsyncServerStreamingCall<Proto.ConnectResponse> call =
            _rpc.Connect(new Proto.ConnectRequest { Process = selector.ToProto() }, options);
        await foreach (SandboxProcessEvent e in stream.ReadAsync(call.ResponseStream, r => r.Event, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>
    /// Waits for a process to end and returns how it ended (attaching to it and skipping its
    /// output). Returns at once for an ended process the agent still remembers. No deadline.
    /// <para>
    /// Waiting is safe to repeat, so a connection cut while waiting is not the caller's problem:
    /// once the process's pid is known, a cut stream is reattached by that pid, up to
    /// <see cref="WaitReattachAttempts"/> times in a row (after 0.5 s, 1 s, 2 s). Only when that
    /// fails does the cut reach the caller.
    /// </para>
    /// </summary>
    /// <exception cref="SandboxException">
    /// NotFound for an unknown pid or tag; Unavailable or Aborted when the connection could not be
    /// had back (the message names the pid).
    /// </exception>
    public async Task<SandboxProcessExit> WaitAsync(SandboxProcessSelector selector, CancellationToken cancellationToken = default)
    {
        if (selector is null)
        {
            throw new ArgumentNullException(nameof(selector));
        }
        SandboxProcessSelector current = selector;
        uint? pid = null;
        int failures = 0;
        while (true)
        {
            try
            {
                await foreach (SandboxProcessEvent e in ConnectCore(current, decode: false, cancellationToken).ConfigureAwait(false))
                {
                    if (e is SandboxProcessStarted started)
                    {
                        pid = started.Pid;
                        failures = 0;
                    }
                    else if (e is SandboxProcessExit exit)
                    {
                        return exit;
                    }
                }
                // ConnectCore ends only after the exit, or by throwing.
                throw new InvalidOperationException("The process stream ended without an exit.");
            }
            catch (SandboxException e) when (pid is uint known && failures < WaitReattachAttempts
                && (e.Code == SandboxErrorCode.Unavailable || e.Code == SandboxErrorCode.Aborted))
            {
                // By pid from now on: a tag could meanwhile name another process.
                current = SandboxProcessSelector.ByPid(known);
                await Task.Delay(TimeSpan.FromMilliseconds(500 << failures), cancellationToken).ConfigureAwait(false);
                failures++;
            }
        }
    }

    /// <summary>How many times in a row <see cref="WaitAsync"/> reattaches after a cut before it gives up.</summary>
    public const int WaitReattachAttempts = 3;

    /// <summary>The processes running now (ended ones are not listed), in the order they were started.</summary>
    public Task<IReadOnlyList<SandboxProcessInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        Call("list processes", (string?)null, cancellationToken, async options =>
        {
            Proto.ListResponse response = await _rpc.ListAsync(new Proto.ListRequest(), options).ConfigureAwait(false);
            return (IReadOnlyList<SandboxProcessInfo>)response.Processes.Select(p => p.ToInfo(Domain)).ToList();
        });

    /// <summary>Sends SIGTERM or SIGKILL to the process (not to its children).</summary>
    /// <exception cref="SandboxException">NotFound for an unknown pid or tag; FailedPrecondition when it has already ended.</exception>
    public Task SendSignalAsync(SandboxProcessSelector selector, SandboxSignal signal, CancellationToken cancellationToken = default)
    {
        if (selector is null)
        {
            throw new ArgumentNullException(nameof(selector));
        }
        var request = new Proto.SendSignalRequest { Process = selector.ToProto(), Signal = signal.ToProto() };
        return Call("signal process", selector, cancellationToken, async options =>
        {
            await _rpc.SendSignalAsync(request, options).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>
    /// Writes <paramref name="data"/> to the process's stdin or terminal in one call. Works on
    /// every protocol (it is what the official SDKs use); for many small writes over HTTP/2 see
    /// <see cref="OpenInputStreamAsync"/>.
    /// </summary>
    /// <param name="target">Stdin for a process with pipes, Pty for one with a terminal.</param>
    /// <exception cref="SandboxException">
    /// NotFound for an unknown pid or tag; FailedPrecondition (the agent's code) when the target
    /// does not match the process (stdin of a terminal process, or the reverse) or it has ended.
    /// </exception>
    public Task SendInputAsync(SandboxProcessSelector selector, byte[] data, SandboxInputTarget target = SandboxInputTarget.Stdin,
        CancellationToken cancellationToken = default)
    {
        if (selector is null)
        {
            throw new ArgumentNullException(nameof(selector));
        }
        if (data is null)
        {
            throw new ArgumentNullException(nameof(data));
        }
        var request = new Proto.SendInputRequest { Process = selector.ToProto(), Input = ProcessMapping.ToInput(data, target) };
        return Call("send input to", selector, cancellationToken, async options =>
        {
            await _rpc.SendInputAsync(request, options).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>
    /// Opens a stream of input to the process (the agent's StreamInput call): checks that the
    /// process exists, sends the start message, and returns the stream to write chunks to.
    /// Needs a session on <see cref="SandboxProtocol.Grpc"/>: gRPC-Web and Connect over HTTP/1.1 cannot carry a
    /// client stream, so on those this fails before sending anything; use
    /// <see cref="SendInputAsync"/>, which works everywhere.
    /// </summary>
    /// <param name="cancellationToken">Covers the opening only; the stream's own calls take their own.</param>
    /// <exception cref="SandboxException">
    /// FailedPrecondition on a GrpcWeb or Connect session; NotFound for an unknown pid or tag.
    /// </exception>
    public async Task<SandboxProcessInputStream> OpenInputStreamAsync(SandboxProcessSelector selector,
        SandboxInputTarget target = SandboxInputTarget.Stdin, CancellationToken cancellationToken = default)
    {
        if (selector is null)
        {
            throw new ArgumentNullException(nameof(selector));
        }
        if (target != SandboxInputTarget.Stdin && target != SandboxInputTarget.Pty)
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "Input goes to Stdin or Pty.");
        }
        if (_connection.Options.Protocol != SandboxProtocol.Grpc)
        {
            throw new SandboxException(SandboxErrorCode.FailedPrecondition,
                $"Cannot stream input to {selector}: streaming input needs the Grpc protocol (HTTP/2), and this session to '{Domain}' "
                + $"uses {_connection.Options.Protocol} (gRPC-Web and Connect over HTTP/1.1 cannot carry a client stream). "
                + "Send the input in separate calls with SendInputAsync, which works on every protocol, or open the session with the Grpc protocol.",
                null, selector.ToString(), Domain);
        }

        // A cheap existence check, so an unknown process fails here and not at the first write:
        // Update without a terminal size changes nothing (the real agent's rule) but finds the process.
        await Call("send input to", selector, cancellationToken, async options =>
        {
            await _rpc.UpdateAsync(new Proto.UpdateRequest { Process = selector.ToProto() }, options).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

        // The stream lives until it is completed or disposed: no deadline, its own cancellation.
        var abort = new CancellationTokenSource();
        AsyncClientStreamingCall<Proto.StreamInputRequest, Proto.StreamInputResponse>? call = null;
        try
        {
            call = _rpc.StreamInput(_connection.CallOptions(abort.Token, Timeout.InfiniteTimeSpan));
            var input = new SandboxProcessInputStream(call, abort, selector, target, _connection.Errors, SettleLimit);
            using (cancellationToken.Register(state => ((CancellationTokenSource)state!).Cancel(), abort))
            {
                try
                {
                    await call.RequestStream.WriteAsync(new Proto.StreamInputRequest
                    {
                        Start = new Proto.StreamInputRequest.Types.StartEvent { Process = selector.ToProto() },
                    }).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    throw _connection.Errors.Translate(e, "send input to", selector.ToString(), cancellationToken);
                }
            }
            return input;
        }
        catch
        {
            abort.Cancel();
            call?.Dispose();
            abort.Dispose();
            throw;
        }
    }

    /// <summary>Resizes the terminal of a process started with one; the process gets SIGWINCH.</summary>
    /// <exception cref="SandboxException">NotFound for an unknown pid or tag; FailedPrecondition for a process without a terminal, or one that has ended.</exception>
    public Task ResizeAsync(SandboxProcessSelector selector, SandboxTerminalSize size, CancellationToken cancellationToken = default)
    {
        if (selector is null)
        {
            throw new ArgumentNullException(nameof(selector));
        }
        if (size is null)
        {
            throw new ArgumentNullException(nameof(size));
        }
        var request = new Proto.UpdateRequest { Process = selector.ToProto(), Pty = size.ToProto() };
        return Call("resize the terminal of", selector, cancellationToken, async options =>
        {
            await _rpc.UpdateAsync(request, options).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>The header value: whole seconds, rounded up, at least 1.</summary>
    internal static string KeepaliveSeconds(TimeSpan interval)
    {
        if (interval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(SandboxProcessStartInfo.KeepaliveInterval), interval,
                "The keepalive interval is whole seconds, at least 1.");
        }
        double seconds = Math.Min(Math.Ceiling(interval.TotalSeconds), int.MaxValue);
        return ((long)seconds).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The interval the agent was asked for, as it reads the header.</summary>
    static TimeSpan KeepaliveOf(string headerSeconds) => TimeSpan.FromSeconds(long.Parse(headerSeconds, CultureInfo.InvariantCulture));

    Task<T> Call<T>(string operation, SandboxProcessSelector? selector, CancellationToken cancellationToken, Func<CallOptions, Task<T>> call) =>
        Call(operation, selector?.ToString(), cancellationToken, call);

    async Task<T> Call<T>(string operation, string? target, CancellationToken cancellationToken, Func<CallOptions, Task<T>> call)
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
