using Grpc.Core;
using ScaleBox.Sandbox.Agent.Filesystem;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// The Process RPCs with real children, following the real agent (E2B's envd) where the contract is
/// silent:
/// <list type="bullet">
/// <item>Start streams <c>start{pid}</c>, output as it is produced, keepalives while idle, then the end.
/// The call's deadline bounds the child's life (SIGKILL when it passes); a client that merely goes
/// away leaves it running, to be found again with Connect.</item>
/// <item>Errors: unknown pid or tag <c>not_found</c>; bad cwd or command, and a request that names no
/// process, <c>invalid_argument</c>; input with neither stdin nor pty bytes, an input stream message
/// with no event, and signals other than SIGTERM/SIGKILL <c>unimplemented</c>; input of the wrong kind for the process (stdin to a
/// terminal, terminal input to pipes), resizing a process without a terminal, and input, signals or
/// resizing for a process that has ended: <c>failed_precondition</c>, the code current envd uses
/// for "well-formed, but the process is not in a state to accept it" (older envd said internal).</item>
/// </list>
/// </summary>
public sealed class ProcessService(ProcessTable table, PathResolver paths) : Protocol.Process.ProcessBase
{
    public override async Task Start(StartRequest request, IServerStreamWriter<StartResponse> responseStream, ServerCallContext context)
    {
        TimeSpan keepalive = KeepalivePolicy.From(context);
        LaunchPlan plan = LaunchPlan.From(request, paths);
        ManagedProcess process = ManagedProcess.Launch(plan, out ProcessSubscription subscription);
        using (subscription)
        {
            table.Add(process);
            if (context.Deadline < DateTime.MaxValue)
            {
                process.KillAt(context.Deadline);
            }
            await EventStreamer.CopyAsync(subscription, responseStream, e => new StartResponse { Event = e },
                keepalive, context.CancellationToken);
            if (process.KilledAtDeadline)
            {
                // The kill's end event can go out before the server's own deadline ends the call, which
                // then closed OK over gRPC now and then: end it as past its deadline whichever comes
                // first, as over Connect (and as the real agent's handler returns its context's error).
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, "the call's deadline passed: the process was killed"));
            }
        }
    }

    public override async Task Connect(ConnectRequest request, IServerStreamWriter<ConnectResponse> responseStream, ServerCallContext context)
    {
        TimeSpan keepalive = KeepalivePolicy.From(context);
        ManagedProcess process = table.Find(request.Process);
        using ProcessSubscription subscription = process.Subscribe();
        await EventStreamer.CopyAsync(subscription, responseStream, e => new ConnectResponse { Event = e },
            keepalive, context.CancellationToken);
    }

    public override Task<ListResponse> List(ListRequest request, ServerCallContext context)
    {
        var response = new ListResponse();
        foreach (ManagedProcess process in table.Running())
        {
            var info = new ProcessInfo { Config = process.Config.Clone(), Pid = process.Pid };
            if (process.Tag is not null)
            {
                info.Tag = process.Tag;
            }
            response.Processes.Add(info);
        }
        return Task.FromResult(response);
    }

    public override Task<SendSignalResponse> SendSignal(SendSignalRequest request, ServerCallContext context)
    {
        ManagedProcess process = table.Find(request.Process);
        process.Signal(Signals.ToNumber(request.Signal));
        return Task.FromResult(new SendSignalResponse());
    }

    public override async Task<SendInputResponse> SendInput(SendInputRequest request, ServerCallContext context)
    {
        ManagedProcess process = table.Find(request.Process);
        await WriteInputAsync(process, request.Input, context.CancellationToken);
        return new SendInputResponse();
    }

    /// <summary>
    /// A <c>start</c> naming the process, then <c>data</c> messages written in order; keepalives are
    /// ignored. The single response is sent when the client half-closes. Needs HTTP/2 (client streaming).
    /// </summary>
    public override async Task<StreamInputResponse> StreamInput(IAsyncStreamReader<StreamInputRequest> requestStream, ServerCallContext context)
    {
        ManagedProcess? process = null;
        await foreach (StreamInputRequest message in requestStream.ReadAllAsync(context.CancellationToken))
        {
            switch (message.EventCase)
            {
                case StreamInputRequest.EventOneofCase.Start:
                    process = table.Find(message.Start.Process);
                    break;
                case StreamInputRequest.EventOneofCase.Data:
                    if (process is null)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of the input stream must be a start event naming the process"));
                    }
                    await WriteInputAsync(process, message.Data.Input, context.CancellationToken);
                    break;
                case StreamInputRequest.EventOneofCase.Keepalive:
                    break;
                default:
                    // The real agent's words: Go's %T of the missing event.
                    throw new RpcException(new Status(StatusCode.Unimplemented, "invalid event type <nil>"));
            }
        }
        return new StreamInputResponse();
    }

    /// <summary>Resizes the terminal when <c>pty</c> is given; without it there is nothing to change (as the real agent).</summary>
    public override Task<UpdateResponse> Update(UpdateRequest request, ServerCallContext context)
    {
        ManagedProcess process = table.Find(request.Process);
        if (request.Pty is not null)
        {
            process.Resize(request.Pty.Size?.Cols ?? 0, request.Pty.Size?.Rows ?? 0);
        }
        return Task.FromResult(new UpdateResponse());
    }

    static Task WriteInputAsync(ManagedProcess process, ProcessInput? input, CancellationToken cancellationToken) =>
        input?.InputCase switch
        {
            ProcessInput.InputOneofCase.Stdin => process.WriteStdinAsync(input.Stdin.Memory, cancellationToken),
            ProcessInput.InputOneofCase.Pty => process.WritePtyAsync(input.Pty.Memory, cancellationToken),
            _ => throw new RpcException(new Status(StatusCode.Unimplemented, "invalid input type <nil>")), // as the real agent says it
        };
}
