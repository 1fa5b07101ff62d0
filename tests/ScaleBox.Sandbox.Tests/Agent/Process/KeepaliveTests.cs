using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>Keepalive events at the interval the Keepalive-Ping-Interval header asks for, and only while the stream is idle.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class KeepaliveTests(LocalAgentFixture agent)
{
    [Theory, BothProtocols]
    public async Task An_idle_stream_gets_keepalives_at_the_requested_interval(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        // Idle for 4.6 s at a 1 s interval: 4 keepalives on time, and at least 2 when a busy machine delays the timer.
        using AsyncServerStreamingCall<StartResponse> start = rpc.Start(ProcessRpc.Shell("sleep 4.6; echo done"), keepaliveSeconds: 1);
        uint pid = await rpc.ReadStartAsync(start.ResponseStream, r => r.Event);
        using AsyncServerStreamingCall<ConnectResponse> connect = rpc.Connect(rpc.Pid(pid), keepaliveSeconds: 1);
        await rpc.ReadStartAsync(connect.ResponseStream, r => r.Event);

        Task<ProcessRun> fromStart = ProcessRun.ReadAsync(start.ResponseStream, r => r.Event);
        Task<ProcessRun> fromConnect = ProcessRun.ReadAsync(connect.ResponseStream, r => r.Event);

        foreach (ProcessRun run in await Task.WhenAll(fromStart, fromConnect))
        {
            Assert.InRange(run.Keepalives, 2, 5);
            Assert.Equal("done\n", run.StdoutText);
            Assert.Equal(ProcessEvent.EventOneofCase.End, run.Kinds[^1]);
        }
    }

    [Fact]
    public async Task No_keepalive_while_output_flows()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("i=0; while [ $i -lt 12 ]; do echo $i; sleep 0.2; i=$((i+1)); done"), keepaliveSeconds: 1);

        Assert.Equal(0, run.Keepalives);
        Assert.Equal(12, run.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Without_the_header_the_interval_is_long()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("sleep 1.5"));

        Assert.Equal(0, run.Keepalives); // the default is 90 s
    }
}
