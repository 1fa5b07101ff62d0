using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>
/// Connect: a process outlives a dropped Start stream and is found again by pid; live output goes
/// to every listener; a process that has ended is still answered, with a start and its end.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ReattachTests(LocalAgentFixture agent)
{
    [Theory, BothProtocols]
    public async Task A_process_survives_a_dropped_stream_and_can_be_reattached(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        using var drop = new CancellationTokenSource();
        var call = rpc.Start(ProcessRpc.Shell("echo before; read line; echo \"got $line\"; exit 4"), cancellationToken: drop.Token);
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("before\n", call.ResponseStream.Current.Event.Data.Stdout.ToStringUtf8());

        // The client goes away without a word: no deadline, so the process must live on.
        drop.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        call.Dispose();
        await Task.Delay(200);
        Assert.Contains((await rpc.ListAsync()).Processes, p => p.Pid == pid);

        using AsyncServerStreamingCall<ConnectResponse> connect = rpc.Connect(rpc.Pid(pid));
        Assert.Equal(pid, await rpc.ReadStartAsync(connect.ResponseStream, r => r.Event));
        await rpc.SendStdinAsync(pid, "again\n");
        ProcessRun rest = await ProcessRun.ReadAsync(connect.ResponseStream, r => r.Event);

        Assert.Equal("got again\n", rest.StdoutText); // live output only: "before" is not replayed
        Assert.Equal(4, rest.End!.ExitCode);
        Assert.Equal("exit status 4", rest.End.Status);
    }

    [Theory, BothProtocols]
    public async Task Connecting_to_an_ended_process_sends_its_start_and_its_end(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("echo done; exit 7"));

        using AsyncServerStreamingCall<ConnectResponse> connect = rpc.Connect(rpc.Pid(run.Pid));
        ProcessRun again = await ProcessRun.ReadAsync(connect.ResponseStream, r => r.Event);

        Assert.Equal([ProcessEvent.EventOneofCase.Start, ProcessEvent.EventOneofCase.End], again.Kinds);
        Assert.Equal(run.Pid, again.Pid);
        Assert.Equal(7, again.End!.ExitCode);
        Assert.Equal("exit status 7", again.End.Status);
    }

    [Fact]
    public async Task Live_output_goes_to_every_listener()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        using var web = new ProcessRpc(agent, SandboxProtocol.GrpcWeb);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(ProcessRpc.Shell("read a; echo \"one $a\"; read b; echo \"two $b\""));
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);
        using AsyncServerStreamingCall<ConnectResponse> first = rpc.Connect(rpc.Pid(pid));
        using AsyncServerStreamingCall<ConnectResponse> second = web.Connect(web.Pid(pid));
        await rpc.ReadStartAsync(first.ResponseStream, r => r.Event);
        await web.ReadStartAsync(second.ResponseStream, r => r.Event);

        await rpc.SendStdinAsync(pid, "x\n");
        await rpc.SendStdinAsync(pid, "y\n");
        ProcessRun fromStart = await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event);
        ProcessRun fromFirst = await ProcessRun.ReadAsync(first.ResponseStream, r => r.Event);
        ProcessRun fromSecond = await ProcessRun.ReadAsync(second.ResponseStream, r => r.Event);

        Assert.Equal("one x\ntwo y\n", fromStart.StdoutText);
        Assert.Equal("one x\ntwo y\n", fromFirst.StdoutText);
        Assert.Equal("one x\ntwo y\n", fromSecond.StdoutText);
        Assert.All(new[] { fromStart, fromFirst, fromSecond }, r => Assert.Equal(0, r.End!.ExitCode));
    }

    [Theory, BothProtocols]
    public async Task An_unknown_pid_is_not_found(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        const uint Unknown = 999_999_999;

        var connect = await Assert.ThrowsAsync<RpcException>(() => ProcessRun.ReadAsync(rpc.Connect(rpc.Pid(Unknown)).ResponseStream, r => r.Event));
        var signal = await Assert.ThrowsAsync<RpcException>(() => rpc.SignalAsync(rpc.Pid(Unknown), Signal.Sigkill));
        var input = await Assert.ThrowsAsync<RpcException>(() => rpc.SendStdinAsync(Unknown, "x"));
        var update = await Assert.ThrowsAsync<RpcException>(() => rpc.Client.UpdateAsync(
            new UpdateRequest { Process = rpc.Pid(Unknown), Pty = ProcessRpc.Terminal(10, 10) }, rpc.Options(ProcessRpc.Patience)).ResponseAsync);

        Assert.All(new[] { connect, signal, input, update }, e =>
        {
            Assert.Equal(StatusCode.NotFound, e.StatusCode);
            Assert.Equal($"process with pid {Unknown} not found", e.Status.Detail);
        });
    }
}
