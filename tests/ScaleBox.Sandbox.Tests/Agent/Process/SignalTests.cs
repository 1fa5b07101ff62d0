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
    public async Task Signals_other_than_sigterm_and_sigkill_and_no_signal_at_all_are_unimplemented(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(new StartRequest { Process = new ProcessConfig { Cmd = "sleep", Args = { "30" } } });
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        var unspecified = await Assert.ThrowsAsync<RpcException>(() => rpc.SignalAsync(rpc.Pid(pid), Signal.Unspecified));
        var sigint = await Assert.ThrowsAsync<RpcException>(() => rpc.SignalAsync(rpc.Pid(pid), (Signal)2));

        Assert.Equal(StatusCode.Unimplemented, unspecified.StatusCode);
        Assert.Equal("invalid signal: SIGNAL_UNSPECIFIED", unspecified.Status.Detail);
        Assert.Equal(StatusCode.Unimplemented, sigint.StatusCode);
        Assert.Equal("invalid signal: 2", sigint.Status.Detail);
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

        // Whether the kill's end event or the call's own deadline comes first, the call ends past its deadline.
        var e = await Assert.ThrowsAsync<RpcException>(() => ProcessRun.ReadAsync(call.ResponseStream, r => r.Event));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);

        // The agent remembers how it ended: killed at the deadline, long before sleep 30 would end.
        using AsyncServerStreamingCall<ConnectResponse> connect = rpc.Connect(rpc.Pid(pid));
        ProcessRun after = await ProcessRun.ReadAsync(connect.ResponseStream, r => r.Event);
        Assert.Equal("signal: killed", after.End!.Status);
        Assert.False(after.End.Exited);
        Assert.Equal(-1, after.End.ExitCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.DoesNotContain((await rpc.ListAsync()).Processes, p => p.Pid == pid);
    }

    [Fact]
    public async Task A_start_past_its_deadline_always_ends_with_deadline_exceeded_even_when_the_kill_ends_the_stream_first()
    {
        // Sent by hand over HTTP/2, so that no client-side timer decides the outcome: only the
        // agent's trailers do. The kill at the deadline and the server's own deadline race; the
        // call used to end OK now and then, when the kill's end event won.
        using var http = new HttpClient { BaseAddress = agent.Http2Address };
        byte[] message = Google.Protobuf.MessageExtensions.ToByteArray(new StartRequest { Process = new ProcessConfig { Cmd = "sleep", Args = { "30" } } });
        byte[] frame = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Length);
        message.CopyTo(frame, 5);

        var statuses = new List<string?>();
        for (int i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/sandboxagent.Process/Start")
            {
                Content = new ByteArrayContent(frame),
                Version = System.Net.HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
            request.Headers.TryAddWithoutValidation("TE", "trailers");
            request.Headers.TryAddWithoutValidation("grpc-timeout", "200m");
            request.Headers.TryAddWithoutValidation("X-Access-Token", agent.AccessToken);
            using HttpResponseMessage response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync(); // start, the end of the kill or not, then the trailers
            statuses.Add(response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.Single() : $"{(int)response.StatusCode} {response.Headers} {response.Content.Headers}");
        }

        Assert.All(statuses, status => Assert.Equal(((int)StatusCode.DeadlineExceeded).ToString(), status));
    }
}
