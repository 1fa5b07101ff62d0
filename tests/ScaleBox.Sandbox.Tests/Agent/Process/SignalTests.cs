using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>SendSignal (SIGTERM and SIGKILL only) and the Start deadline, which kills the child when it passes.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class SignalTests(LocalAgentFixture agent)
{
    [Theory]
    [InlineData(SandboxProtocol.GrpcWeb, 9, "signal: killed")]
    [InlineData(SandboxProtocol.Grpc, 9, "signal: killed")]
    [InlineData(SandboxProtocol.GrpcWeb, 15, "signal: terminated")]
    [InlineData(SandboxProtocol.Grpc, 15, "signal: terminated")]
    public async Task A_signalled_process_ends_with_exit_code_minus_one_and_the_signal_in_its_status(SandboxProtocol protocol, int number, string status)
    {
        var signal = (Signal)number; // SIGNAL_SIGKILL = 9, SIGNAL_SIGTERM = 15
        using var rpc = new ProcessRpc(agent, protocol);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(new StartRequest { Process = new ProcessConfig { Cmd = "sleep", Args = { "30" } } });
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        await rpc.SignalAsync(rpc.Pid(pid), signal);
        ProcessRun run = await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event);

        Assert.Equal(-1, run.End!.ExitCode);
        Assert.False(run.End.Exited);
        Assert.Equal(status, run.End.Status);
        Assert.Equal(status, run.End.Error);
        Assert.Equal(ProcessEvent.EventOneofCase.End, run.Kinds[^1]);
    }

    [Theory, BothProtocols]
    public async Task Signals_other_than_sigterm_and_sigkill_are_unimplemented_and_no_signal_is_invalid(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(new StartRequest { Process = new ProcessConfig { Cmd = "sleep", Args = { "30" } } });
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        var unspecified = await Assert.ThrowsAsync<RpcException>(() => rpc.SignalAsync(rpc.Pid(pid), Signal.Unspecified));
        var sigint = await Assert.ThrowsAsync<RpcException>(() => rpc.SignalAsync(rpc.Pid(pid), (Signal)2));

        Assert.Equal(StatusCode.InvalidArgument, unspecified.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, sigint.StatusCode);
        Assert.Contains(await rpc.ListAsync().ContinueWith(t => t.Result.Processes), p => p.Pid == pid); // still running
    }

    [Fact]
    public async Task Signalling_an_ended_process_is_a_failed_precondition()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("true"));

        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.SignalAsync(rpc.Pid(run.Pid), Signal.Sigkill));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
    }

    [Theory, BothProtocols]
    public async Task The_start_deadline_kills_the_process_when_it_passes(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        var started = DateTime.UtcNow;
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(
            new StartRequest { Process = new ProcessConfig { Cmd = "sleep", Args = { "30" } } }, deadline: TimeSpan.FromSeconds(1));
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        // The kill and the call's own deadline race: the stream either fails with deadline_exceeded
        // or still carries the end event of the kill.
        try
        {
            ProcessRun run = await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event);
            Assert.Equal("signal: killed", run.End!.Status);
        }
        catch (RpcException e)
        {
            Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        }

        // The agent remembers how it ended: killed at the deadline, long before sleep 30 would end.
        using AsyncServerStreamingCall<ConnectResponse> connect = rpc.Connect(rpc.Pid(pid));
        ProcessRun after = await ProcessRun.ReadAsync(connect.ResponseStream, r => r.Event);
        Assert.Equal("signal: killed", after.End!.Status);
        Assert.False(after.End.Exited);
        Assert.Equal(-1, after.End.ExitCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.DoesNotContain((await rpc.ListAsync()).Processes, p => p.Pid == pid);
    }
}
