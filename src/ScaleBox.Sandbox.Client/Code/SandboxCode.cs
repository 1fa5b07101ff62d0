using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Code;

/// <summary>
/// Code execution in the sandbox's interpreters (the code interpreter API): run code and read
/// what it prints and returns as it happens, and make or remove contexts, whose state persists
/// across executions. Reached as <see cref="SandboxClient.Code"/>.
/// <para>
/// No deadline applies unless <see cref="SandboxCodeRequest.Timeout"/> sets one. Cancelling an
/// execution makes the agent interrupt the kernel: the context stays usable, with its state.
/// </para>
/// </summary>
public sealed class SandboxCode
{
    readonly SandboxConnection _connection;
    readonly Proto.ExecutionService.ExecutionServiceClient _execution;
    readonly Proto.ContextService.ContextServiceClient _contexts;

    internal SandboxCode(SandboxConnection connection)
    {
        _connection = connection;
        _execution = new Proto.ExecutionService.ExecutionServiceClient(connection.Invoker);
        _contexts = new Proto.ContextService.ContextServiceClient(connection.Invoker);
    }

    string Domain => _connection.Endpoint.Domain;

    /// <summary>Starting a kernel can take a while on a cold sandbox: the session's timeout, at least a minute.</summary>
    TimeSpan ContextStartLimit => _connection.Options.Timeout > TimeSpan.FromMinutes(1) ? _connection.Options.Timeout : TimeSpan.FromMinutes(1);

    /// <summary>
    /// Runs code and streams what it produces, in order: <see cref="SandboxCodeOutput"/> as it is
    /// printed, <see cref="SandboxCodeResult"/> for displays and the last expression's value, and
    /// <see cref="SandboxCodeError"/> when it raises. The stream ends when the execution does.
    /// </summary>
    /// <exception cref="SandboxException">
    /// While enumerating: NotFound for an unknown context; FailedPrecondition for a language with
    /// no interpreter installed; DeadlineExceeded when the request's timeout passed (the kernel
    /// was interrupted, its state kept), or when an agent that promised keepalives sent nothing
    /// for two <see cref="SandboxCodeRequest.KeepaliveInterval"/>s and a second (frozen, or the
    /// connection dead); Unavailable when the connection failed. The errors of a lost stream say
    /// that the context keeps its state and how to go on.
    /// </exception>
    public IAsyncEnumerable<SandboxCodeEvent> ExecuteAsync(SandboxCodeRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }
        var wire = new Proto.ExecuteRequest
        {
            Code = request.Code,
            Language = request.Language ?? string.Empty,
            ContextId = request.ContextId ?? string.Empty,
        };
        SandboxProcesses.KeepaliveSeconds(request.KeepaliveInterval); // a bad interval fails here, not mid-enumeration
        foreach (KeyValuePair<string, string> variable in request.Environment)
        {
            wire.EnvVars[variable.Key] = variable.Value ?? string.Empty;
        }
        return ExecuteCore(wire, request, cancellationToken);
    }

    IAsyncEnumerable<SandboxCodeEvent> ExecuteCore(Proto.ExecuteRequest request, SandboxCodeRequest codeRequest, CancellationToken cancellationToken)
    {
        string target = request.ContextId.Length > 0 ? "context " + request.ContextId : (request.Language.Length > 0 ? request.Language : "python");
        return new CodeExecutionStream(_connection, _execution, target, codeRequest.Timeout, codeRequest.KeepaliveInterval).ReadAsync(request, cancellationToken);
    }

    /// <summary>Starts an interpreter for <paramref name="language"/> (python by default) in <paramref name="workingDirectory"/> (the agent's default when null).</summary>
    /// <exception cref="SandboxException">InvalidArgument for a missing directory; FailedPrecondition when nothing serves the language.</exception>
    public async Task<SandboxCodeContext> CreateContextAsync(string? language = null, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        string target = string.IsNullOrEmpty(language) ? "python" : language!;
        try
        {
            Proto.Context context = await _contexts.CreateContextAsync(
                new Proto.CreateContextRequest { Language = language ?? string.Empty, Cwd = workingDirectory ?? string.Empty },
                _connection.CallOptions(cancellationToken, ContextStartLimit)).ConfigureAwait(false);
            return context.ToContext(Domain);
        }
        catch (Exception e) when (!(e is SandboxException))
        {
            throw _connection.Errors.Translate(e, "create a context for", target, cancellationToken);
        }
    }

    /// <summary>Shuts a context's interpreter down and frees its processes.</summary>
    /// <exception cref="SandboxException">NotFound for an unknown context.</exception>
    public async Task RemoveContextAsync(string contextId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(contextId))
        {
            throw new ArgumentException("A context id is required.", nameof(contextId));
        }
        try
        {
            await _contexts.DestroyContextAsync(new Proto.DestroyContextRequest { ContextId = contextId },
                _connection.CallOptions(cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is SandboxException))
        {
            throw _connection.Errors.Translate(e, "remove context", contextId, cancellationToken);
        }
    }
}
