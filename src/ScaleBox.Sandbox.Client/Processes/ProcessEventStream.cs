using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// Reads one Start or Connect stream to its end event and says clearly how it went when it did not
/// get there: a stream cut after the start names the pid and says the process may still run (so
/// the caller can reattach); a process killed at its timeout is reported as such, not as a slow
/// agent; anything before the start goes through the client's error translator as usual.
/// <para>
/// The agent sends a keepalive whenever the stream has been idle for the keepalive interval, so
/// silence longer than two intervals means the agent or the connection is gone (a frozen agent,
/// a half-open connection): the stream then fails with DeadlineExceeded instead of waiting for
/// ever, one second of slack after the second keepalive was due. The start event is the answer to
/// the request and is due within the session's timeout, as any answer is: a frozen agent then
/// costs a start or an attach that timeout, not two keepalive intervals.
/// </para>
/// </summary>
internal sealed class ProcessEventStream
{
    readonly ErrorTranslator _errors;
    readonly string _domain;
    readonly string _operation;
    readonly string _target;
    readonly bool _decode;
    readonly TimeSpan? _timeout;
    readonly DateTime? _deadline;
    static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(250);
    readonly TimeSpan _drainLimit;
    readonly TimeSpan _silenceLimit;
    readonly TimeSpan _answerLimit;
    static readonly TimeSpan SilenceSlack = TimeSpan.FromSeconds(1);

    /// <param name="operation">What the stream is for, e.g. "start process".</param>
    /// <param name="target">What it is about before the pid is known: the command line, or the selector.</param>
    /// <param name="decode">Whether output is decoded to text.</param>
    /// <param name="timeout">The process's lifetime limit (Start only), for the message when it passes.</param>
    /// <param name="deadline">When that limit passes, as sent to the agent.</param>
    /// <param name="drainLimit">How long to wait, after the end event, for the agent to close the stream.</param>
    /// <param name="keepaliveInterval">The keepalive interval the stream asked the agent for.</param>
    /// <param name="answerLimit">
    /// The session's timeout, within which the start event is due; one that does not limit (zero,
    /// infinite) leaves the start to the silence allowance.
    /// </param>
    public ProcessEventStream(ErrorTranslator errors, string domain, string operation, string target, bool decode,
        TimeSpan? timeout, DateTime? deadline, TimeSpan drainLimit, TimeSpan keepaliveInterval, TimeSpan answerLimit)
    {
        _silenceLimit = SilenceLimit(keepaliveInterval);
        _answerLimit = answerLimit;
        _errors = errors;
        _domain = domain;
        _operation = operation;
        _target = EchoedText.Value(target);
        _decode = decode;
        _timeout = timeout;
        _deadline = deadline;
        _drainLimit = drainLimit;
    }

    public async IAsyncEnumerable<SandboxProcessEvent> ReadAsync<TResponse>(IAsyncStreamReader<TResponse> reader,
        Func<TResponse, Proto.ProcessEvent?> eventOf, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var translator = new ProcessEventTranslator(_decode);
        var batch = new List<SandboxProcessEvent>(4);
        using var watchdog = Transfer.IdleWatchdog.ForStream(cancellationToken, _answerLimit, _silenceLimit);
        while (true)
        {
            bool more;
            try
            {
                more = await reader.MoveNext(watchdog.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (watchdog.Fired)
            {
                throw watchdog.AwaitsAnswer ? NotAnswered(e) : Silent(e, translator);
            }
            catch (Exception e)
            {
                throw Failure(e, translator, cancellationToken);
            }
            watchdog.Restart(); // a keepalive counts: the agent is alive
            if (!more)
            {
                throw EndedEarly(translator);
            }

            batch.Clear();
            try
            {
                translator.Translate(eventOf(reader.Current), batch);
            }
            catch (SandboxException e)
            {
                throw new SandboxException(e.Code, e.Message, null, Target(translator), _domain);
            }
            if (translator.HasStarted)
            {
                watchdog.Answered(); // from now on the agent's keepalives are due
            }

            if (translator.Exit is SandboxProcessExit exit)
            {
                // Let the call finish cleanly before handing out the exit: a caller that stops
                // reading at the exit would otherwise abort the call (and, over HTTP/1.1, its connection).
                await DrainAsync(reader, cancellationToken).ConfigureAwait(false);
                // The deadline travels as a whole number of milliseconds, so the agent's kill can
                // land a moment before the client's own clock reaches it: allow for that.
                bool killedAtTimeout = _deadline is DateTime deadline && !exit.Exited && DateTime.UtcNow >= deadline - DeadlineSlack;
                foreach (SandboxProcessEvent e in batch)
                {
                    if (killedAtTimeout && e is SandboxProcessExit)
                    {
                        throw TimedOut(translator.Pid, exit.Status, null);
                    }
                    yield return e;
                }
                yield break;
            }

            foreach (SandboxProcessEvent e in batch)
            {
                yield return e;
            }
        }
    }

    async Task DrainAsync<TResponse>(IAsyncStreamReader<TResponse> reader, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_drainLimit > TimeSpan.Zero)
        {
            limit.CancelAfter(_drainLimit);
        }
        try
        {
            while (await reader.MoveNext(limit.Token).ConfigureAwait(false))
            {
                // Nothing but keepalives can follow the end; the exit is already known.
            }
        }
        catch (Exception e) when (e is RpcException || e is OperationCanceledException || e is System.IO.IOException)
        {
            // The end event arrived, so the process's story is complete whatever happens to the call now.
        }
    }

    Exception Failure(Exception error, ProcessEventTranslator translator, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            // The caller stopped reading. The process is not stopped: the agent keeps it running.
            return new OperationCanceledException(
                "Stopped reading the process stream; the process keeps running in the sandbox.", error, cancellationToken);
        }
        if (_timeout is not null && error is RpcException { StatusCode: StatusCode.DeadlineExceeded })
        {
            return TimedOut(translator.Pid, null, _errors.Translate(error, _operation, Target(translator), cancellationToken));
        }
        if (error is SandboxException || !translator.HasStarted)
        {
            return _errors.Translate(error, _operation, _target, cancellationToken);
        }

        // Past the start the stream only ends with the end event: anything else is a broken transport.
        Exception translated = _errors.Translate(error, _operation, _target, cancellationToken);
        string reason = (translated as SandboxException)?.ServerMessage ?? "the connection failed";
        uint pid = translator.Pid!.Value;
        return new SandboxException(SandboxErrorCode.Unavailable,
            $"The output stream of process pid {Pid(pid)} in '{_domain}' was cut before the process ended ({reason}). "
            + $"The process may still be running in the sandbox: reattach to it by pid {Pid(pid)} to follow its output and learn how it ends.",
            (translated as SandboxException)?.ServerMessage, Target(translator), _domain, translated);
    }

    /// <summary>Two keepalive intervals, and a second for the last one to arrive.</summary>
    internal static TimeSpan SilenceLimit(TimeSpan keepaliveInterval) => keepaliveInterval + keepaliveInterval + SilenceSlack;

    SandboxException Silent(Exception error, ProcessEventTranslator translator)
    {
        TimeSpan interval = TimeSpan.FromTicks((_silenceLimit - SilenceSlack).Ticks / 2);
        string silence = $"nothing, not even a keepalive (due every {Describe(interval)}), arrived for {Describe(_silenceLimit)}";
        string what = translator.Pid is uint pid
            ? $"The sandbox agent at '{_domain}' stopped answering on the output stream of process pid {Pid(pid)}: {silence}. "
                + $"The agent may be frozen or the connection dead. The process may still be running in the sandbox: "
                + $"once the agent answers again, reattach to it by pid {Pid(pid)} to follow its output and learn how it ends."
            : $"The sandbox agent at '{_domain}' did not answer the request to {_operation} '{_target}': {silence}. "
                + "The agent may be frozen or the connection dead; whether a process was started is unknown.";
        return new SandboxException(SandboxErrorCode.DeadlineExceeded, what, null, Target(translator), _domain, error);
    }

    SandboxException NotAnswered(Exception error) => new SandboxException(SandboxErrorCode.DeadlineExceeded,
        $"The sandbox agent at '{_domain}' did not answer the request to {_operation} '{_target}' within the session's timeout of "
            + $"{TimeLimit.InSeconds(_answerLimit)}: the agent may be frozen or the connection dead; "
            + "whether a process was started is unknown.",
        null, _target, _domain, error);

    SandboxException EndedEarly(ProcessEventTranslator translator)
    {
        if (translator.Pid is uint pid)
        {
            return new SandboxException(SandboxErrorCode.Aborted,
                $"The sandbox agent at '{_domain}' closed the output stream of process pid {Pid(pid)} before the process ended. "
                + $"The process may still be running in the sandbox: reattach to it by pid {Pid(pid)} to follow its output and learn how it ends.",
                null, Target(translator), _domain);
        }
        return new SandboxException(SandboxErrorCode.Aborted,
            $"The sandbox agent at '{_domain}' closed the stream to {_operation} '{_target}' without a start event; "
            + "whether a process was started is unknown.",
            null, _target, _domain);
    }

    SandboxException TimedOut(uint? pid, string? status, Exception? inner)
    {
        string limit = Describe(_timeout!.Value);
        string message = pid is uint known
            ? $"Process pid {Pid(known)} ('{_target}') did not end within its timeout of {limit}: the sandbox agent killed it"
                + (status is null ? "." : $" ({status}).")
            : $"The process '{_target}' did not start within its timeout of {limit}.";
        return new SandboxException(SandboxErrorCode.DeadlineExceeded, message, null,
            pid is uint p ? "pid " + Pid(p) : _target, _domain, inner);
    }

    string Target(ProcessEventTranslator translator) => translator.Pid is uint pid ? "pid " + Pid(pid) : _target;

    static string Pid(uint pid) => pid.ToString(CultureInfo.InvariantCulture);

    static string Describe(TimeSpan span) =>
        span < TimeSpan.FromMinutes(1)
            ? TimeLimit.InSeconds(span)
            : span.ToString("c", CultureInfo.InvariantCulture);
}
