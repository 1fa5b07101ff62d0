using System.Text.Json;
using Grpc.Core;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>
/// sandboxagent.ExecutionService/Execute, the path the official SDKs call (@scalebox/sdk 3.7.0 posts
/// Connect JSON to /sandboxagent.ExecutionService/Execute on the sandbox's agent port). Streams
/// stdout/stderr, results and errors as the kernel produces them; no end event, the stream ends with
/// the execution; keepalives while idle when the client asks for them (<see cref="ExecutionKeepalives"/>).
/// Without context_id, the language's default context is used; unknown ids are <c>not_found</c>.
/// Cancelling the call, or its deadline passing, interrupts the kernel.
/// </summary>
public sealed class ExecutionService(CodeContexts contexts) : Protocol.ExecutionService.ExecutionServiceBase
{
    public override async Task Execute(ExecuteRequest request, IServerStreamWriter<ExecuteResponse> responseStream, ServerCallContext context)
    {
        CodeContext target = string.IsNullOrEmpty(request.ContextId)
            ? await contexts.DefaultAsync(request.Language)
            : contexts.Find(request.ContextId);
        await using ExecutionKeepalives? keepalives = await ExecutionKeepalives.StartAsync(responseStream, context);
        await target.ExecuteAsync(request.Code, request.EnvVars, async e =>
        {
            if (ExecutionEvents.ToResponse(e) is { } response)
            {
                await (keepalives is null ? responseStream.WriteAsync(response) : keepalives.WriteAsync(response));
            }
        }, context.CancellationToken);
    }
}
