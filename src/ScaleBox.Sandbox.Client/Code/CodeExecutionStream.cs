using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Code;

/// <summary>
/// One Execute stream, read to its end, told apart from a frozen agent or a dead connection. A
/// kernel may compute in silence for as long as the code takes, so silence alone proves nothing:
/// the stream asks for keepalives (the <c>Keepalive-Ping-Interval</c> header of process streams),
/// and once the agent's response headers echo the interval, nothing at all for two intervals and
/// a second fails the stream with DeadlineExceeded, as a process stream does. An agent that does
/// not echo the header sends no keepalives either, and is waited for as long as the code runs.
/// The response headers are the agent's answer to the request. An agent may hold them back while
/// it starts a kernel or while other code runs in the context, so a late answer alone proves
/// nothing either: once it is overdue (the session's timeout), the agent's /health is asked, and
/// only an agent that does not answer that within a few seconds fails the call; a live one is
/// waited for again.
/// </summary>
internal sealed class CodeExecutionStream
{
    const string Operation = "execute code in";

    readonly SandboxConnection _connection;
    readonly Proto.ExecutionService.ExecutionServiceClient _rpc;
    readonly string _target;
    readonly TimeSpan? _timeout;
    readonly TimeSpan _keepalive;
    readonly TimeSpan _answerLimit;

    /// <param name="target">What the code runs in, e.g. "context 3f2a" or "python" (its default context).</param>
    /// <param name="timeout">The execution's own limit, null for none.</param>
    /// <param name="keepalive">How often the agent is asked to send a keepalive while the kernel is silent.</param>
    public CodeExecutionStream(SandboxConnection connection, Proto.ExecutionService.ExecutionServiceClient rpc, string target, TimeSpan? timeout, TimeSpan keepalive)
    {
        _answerLimit = connection.Options.Timeout;
        _connection = connection;
        _rpc = rpc;
        _target = target;
        _timeout = timeout;
        _keepalive = keepalive;
    }

    string Domain => _connection.Endpoint.Domain;

    public async IAsyncEnumerable<SandboxCodeEvent> ReadAsync(Proto.ExecuteRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Ends the call when the caller cancels, or when the agent is found unresponsive.
        using var unanswered = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CallOptions options = _connection.CallOptions(unanswered.Token, _timeout ?? Timeout.InfiniteTimeSpan);
        options.Headers!.Add(SandboxProcesses.KeepaliveHeader, SandboxProcesses.KeepaliveSeconds(_keepalive));
        using AsyncServerStreamingCall<Proto.ExecuteResponse> call = _rpc.Execute(request, options);
        bool keepalivesPromised;
        try
        {
            Task<Metadata> answer = call.ResponseHeadersAsync;
            await WaitForAnswerAsync(answer, unanswered, cancellationToken).ConfigureAwait(false);
            Metadata headers = await answer.ConfigureAwait(false);
            keepalivesPromised = headers.GetValue(SandboxProcesses.KeepaliveHeader) is not null;
        }
        catch (Exception e) when (!(e is SandboxException))
        {
            throw Failure(e, running: false, cancellationToken);
        }
        using var watchdog = new IdleWatchdog(cancellationToken,
            keepalivesPromised ? ProcessEventStream.SilenceLimit(_keepalive) : Timeout.InfiniteTimeSpan);
        while (true)
        {
            Proto.ExecuteResponse response;
            try
            {
                if (!await call.ResponseStream.MoveNext(watchdog.Token).ConfigureAwait(false))
                {
                    yield break;
                }
                response = call.ResponseStream.Current;
            }
            catch (Exception e) when (watchdog.Fired)
            {
                throw Silent(e);
            }
            catch (Exception e) when (!(e is SandboxException))
            {
                throw Failure(e, keepalivesPromised, cancellationToken);
            }
            watchdog.Restart(); // a keepalive counts: the agent is alive
            if (response.ToEvent() is SandboxCodeEvent codeEvent)
            {
                yield return codeEvent;
            }
        }
    }

    /// <summary>
    /// Whether the agent ended the stream with a status of its own: a transport failure carries the
    /// exception it came from, and the transports' verdict on a stream that ended without any status
    /// is Unavailable or Cancelled.
    /// </summary>
    static bool IsAgentsOwnStatus(Exception error) =>
        error is RpcException { Status.DebugException: null } rpc
        && rpc.StatusCode is StatusCode.Aborted or StatusCode.Internal or StatusCode.Unknown;

    /// <summary>What the caller can count on when the stream is lost while the code may be running.</summary>
    string Aftermath =>
        "The code may still be running in the kernel (the agent interrupts it once it notices this client has gone), "
        + $"and {Where} keeps its state (variables, imports): once the agent answers again, run the next code in {Where} "
        + "(it starts when this one ends), or remove the context to stop its kernel.";

    string Where => _target.StartsWith("context ", StringComparison.Ordinal) ? _target : $"the default {_target} context";

    /// <summary>
    /// Returns once <paramref name="answer"/> is done; throws when, with the answer overdue, the
    /// agent does not answer /health either (the call is then cancelled).
    /// </summary>
    async Task WaitForAnswerAsync(Task answer, CancellationTokenSource unanswered, CancellationToken cancellationToken)
    {
        if (_answerLimit <= TimeSpan.Zero || _answerLimit == Timeout.InfiniteTimeSpan)
        {
            return;
        }
        while (true)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                Task overdue = Task.Delay(_answerLimit, wait.Token);
                Task first = await Task.WhenAny(answer, overdue).ConfigureAwait(false);
                wait.Cancel();
                if (first == answer || cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
            if (!await AnswersHealthAsync(cancellationToken).ConfigureAwait(false) && !answer.IsCompleted)
            {
                unanswered.Cancel();
                throw new SandboxException(SandboxErrorCode.DeadlineExceeded,
                    $"The sandbox agent at '{Domain}' did not answer the request to run code in {Where} within {TimeLimit.InSeconds(_answerLimit)}, "
                    + $"nor its health check within {TimeLimit.InSeconds(HealthLimit)}: the agent may be frozen or the connection dead. "
                    + "The code may still run if the agent wakes up, after any code already running there, and "
                    + $"{Where} keeps its state. Run the code again once the agent answers (Test-SbxSession tells).",
                    null, _target, Domain);
            }
        }
    }

    /// <summary>How long the agent's /health may take when an answer is overdue: a live agent answers it at once.</summary>
    static readonly TimeSpan HealthLimit = TimeSpan.FromSeconds(5);

    async Task<bool> AnswersHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Any answer will do: it shows the agent alive and the way to it open.
            await _connection.IsHealthyAsync(HealthLimit, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SandboxException || e is OperationCanceledException)
        {
            return false;
        }
    }

    SandboxException Silent(Exception error)
    {
        TimeSpan limit = ProcessEventStream.SilenceLimit(_keepalive);
        return new SandboxException(SandboxErrorCode.DeadlineExceeded,
            $"The sandbox agent at '{Domain}' stopped answering while running code in {Where}: nothing, not even a keepalive "
            + $"(due every {TimeLimit.InSeconds(_keepalive)}), arrived for {TimeLimit.InSeconds(limit)}. The agent may be frozen or the connection dead. "
            + Aftermath,
            null, _target, Domain, error);
    }

    Exception Failure(Exception error, bool running, CancellationToken cancellationToken)
    {
        if (_timeout is TimeSpan timeout && error is RpcException { StatusCode: StatusCode.DeadlineExceeded } && !cancellationToken.IsCancellationRequested)
        {
            return new SandboxException(SandboxErrorCode.DeadlineExceeded,
                $"The code in {_target} did not finish within its timeout of {TimeLimit.InSeconds(timeout)}: the sandbox agent interrupted it. "
                + "The context keeps its state and takes the next execution.",
                (error as RpcException)?.Status.Detail, _target, Domain, error);
        }
        Exception translated = _connection.Errors.Translate(error, Operation, _target, cancellationToken);
        // Past the headers, a stream the agent answered ends only when the execution does: any
        // transport failure now cut it while the code ran. A status the agent sent itself (the
        // kernel died) is its answer, and says what became of the context.
        if (running && !IsAgentsOwnStatus(error) && translated is SandboxException cut
            && cut.Code is SandboxErrorCode.Unavailable or SandboxErrorCode.Aborted or SandboxErrorCode.Internal or SandboxErrorCode.Unknown or SandboxErrorCode.DeadlineExceeded)
        {
            return new SandboxException(cut.Code,
                $"The stream of the code running in {Where} at '{Domain}' was cut ({cut.ServerMessage ?? "the connection failed"}). "
                + "If the agent restarted, the context and its state are gone with it: make a new one. Otherwise: " + Aftermath,
                cut.ServerMessage, _target, Domain, cut);
        }
        return translated;
    }
}
