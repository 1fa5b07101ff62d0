using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>SendInput and StreamInput: stdin for pipe processes, pty input for terminals, and never the other way round.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class InputTests(LocalAgentFixture agent)
{
    [Theory, BothProtocols]
    public async Task Input_sent_to_cat_comes_back_as_its_output(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(new StartRequest { Process = new ProcessConfig { Cmd = "cat" } });
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        await rpc.SendStdinAsync(pid, "hello ");
        await rpc.SendStdinAsync(pid, "cat\n");
        string echoed = await ReadStdoutAsync(call.ResponseStream, "hello cat\n".Length);

        Assert.Equal("hello cat\n", echoed);
        // stdin stays open (there is no RPC to close it), so cat only ends when killed.
        await rpc.SignalAsync(rpc.Pid(pid), Signal.Sigkill);
        ProcessRun rest = await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event);
        Assert.Equal("signal: killed", rest.End!.Status);
    }

    [Theory, BothProtocols]
    public async Task A_trickle_of_lines_arrives_line_by_line_without_waiting_for_more_output(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        // Each line is written only after the previous one was read here: an agent that held output
        // back for more (to send larger chunks) would never let this conversation go on.
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(ProcessRpc.Shell("while read -r line; do echo \"got $line\"; done"));
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        foreach (string line in new[] { "one", "two", "three" })
        {
            await rpc.SendStdinAsync(pid, line + "\n");
            Assert.Equal($"got {line}\n", await ReadStdoutAsync(call.ResponseStream, $"got {line}\n".Length));
        }

        await rpc.SignalAsync(rpc.Pid(pid), Signal.Sigkill);
        ProcessRun rest = await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event);
        Assert.Equal("signal: killed", rest.End!.Status);
    }

    [Fact]
    public async Task Stream_input_over_http2_delivers_every_message_in_order_to_cat()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(new StartRequest { Process = new ProcessConfig { Cmd = "cat" } });
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        using AsyncClientStreamingCall<StreamInputRequest, StreamInputResponse> input = rpc.Client.StreamInput(rpc.Options(ProcessRpc.Patience));
        await input.RequestStream.WriteAsync(new StreamInputRequest { Start = new StreamInputRequest.Types.StartEvent { Process = rpc.Pid(pid) } });
        string expected = "";
        for (int i = 0; i < 50; i++)
        {
            string line = $"line {i}\n";
            expected += line;
            await input.RequestStream.WriteAsync(new StreamInputRequest { Data = new StreamInputRequest.Types.DataEvent { Input = new ProcessInput { Stdin = ProcessRpc.ByteString(line) } } });
            if (i % 10 == 0)
            {
                await input.RequestStream.WriteAsync(new StreamInputRequest { Keepalive = new StreamInputRequest.Types.KeepAlive() });
            }
        }
        await input.RequestStream.CompleteAsync();
        await input.ResponseAsync; // the single response, after the half-close

        Assert.Equal(expected, await ReadStdoutAsync(call.ResponseStream, expected.Length));
        await rpc.SignalAsync(rpc.Pid(pid), Signal.Sigkill);
    }

    [Fact]
    public async Task Stream_input_must_name_its_process_first_and_an_unknown_one_is_not_found()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);

        var headless = await StreamInputFailureAsync(rpc,
            new StreamInputRequest { Data = new StreamInputRequest.Types.DataEvent { Input = new ProcessInput { Stdin = ProcessRpc.ByteString("x") } } });
        var unknown = await StreamInputFailureAsync(rpc,
            new StreamInputRequest { Start = new StreamInputRequest.Types.StartEvent { Process = rpc.Pid(999_999_999) } });

        var empty = await StreamInputFailureAsync(rpc, new StreamInputRequest());

        Assert.Equal(StatusCode.InvalidArgument, headless.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, empty.StatusCode);
        Assert.Equal("invalid event type <nil>", empty.Status.Detail);
    }

    static async Task<RpcException> StreamInputFailureAsync(ProcessRpc rpc, StreamInputRequest first)
    {
        using AsyncClientStreamingCall<StreamInputRequest, StreamInputResponse> call = rpc.Client.StreamInput(rpc.Options(ProcessRpc.Patience));
        try
        {
            await call.RequestStream.WriteAsync(first);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // the agent may have answered already; the response below says how
        }
        return await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
    }

    [Theory, BothProtocols]
    public async Task Stdin_for_a_terminal_process_and_pty_input_for_a_pipe_process_are_refused(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        using AsyncServerStreamingCall<StartResponse> terminal = rpc.Start(new StartRequest { Process = new ProcessConfig { Cmd = "cat" }, Pty = ProcessRpc.Terminal(80, 24) });
        using AsyncServerStreamingCall<StartResponse> pipes = rpc.Start(new StartRequest { Process = new ProcessConfig { Cmd = "cat" } });
        uint terminalPid = await rpc.ReadStartAsync(terminal.ResponseStream, r => r.Event);
        uint pipesPid = await rpc.ReadStartAsync(pipes.ResponseStream, r => r.Event);

        var stdinToTerminal = await Assert.ThrowsAsync<RpcException>(() => rpc.SendStdinAsync(terminalPid, "x"));
        var ptyToPipes = await Assert.ThrowsAsync<RpcException>(() => rpc.SendPtyAsync(pipesPid, "x"));
        var noInput = await Assert.ThrowsAsync<RpcException>(() => rpc.Client.SendInputAsync(
            new SendInputRequest { Process = rpc.Pid(pipesPid), Input = new ProcessInput() }, rpc.Options(ProcessRpc.Patience)).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, stdinToTerminal.StatusCode);
        Assert.Contains("pty", stdinToTerminal.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, ptyToPipes.StatusCode);
        Assert.Contains("stdin", ptyToPipes.Status.Detail);
        Assert.Equal(StatusCode.Unimplemented, noInput.StatusCode);
        Assert.Equal("invalid input type <nil>", noInput.Status.Detail);
    }

    [Fact]
    public async Task Input_for_an_ended_process_is_a_failed_precondition()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("true"));

        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.SendStdinAsync(run.Pid, "late\n"));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
    }

    static async Task<string> ReadStdoutAsync(IAsyncStreamReader<StartResponse> stream, int length)
    {
        var text = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        while (text.Length < length && await stream.MoveNext(timeout.Token))
        {
            text.Append(stream.Current.Event.Data?.Stdout.ToStringUtf8());
        }
        return text.ToString();
    }
}
