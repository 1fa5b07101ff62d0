using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>
/// sandboxagent.ContextService: CreateContext starts a kernel for the language in cwd (default: the
/// home directory; a missing one is <c>invalid_argument</c>; a language with nothing installed is
/// <c>failed_precondition</c> naming what to install); DestroyContext shuts it down (<c>not_found</c> for unknown ids).
/// </summary>
public sealed class ContextService(CodeContexts contexts) : Protocol.ContextService.ContextServiceBase
{
    public override async Task<Context> CreateContext(CreateContextRequest request, ServerCallContext context)
    {
        CodeContext created = await contexts.CreateAsync(request.Language, request.Cwd, context.CancellationToken);
        return new Context
        {
            Id = created.Id,
            Language = created.Language.Name,
            Cwd = created.Cwd,
            CreatedAt = Timestamp.FromDateTime(created.CreatedAt),
        };
    }

    public override async Task<DestroyContextResponse> DestroyContext(DestroyContextRequest request, ServerCallContext context)
    {
        await contexts.DestroyAsync(request.ContextId);
        return new DestroyContextResponse { Success = true };
    }
}
