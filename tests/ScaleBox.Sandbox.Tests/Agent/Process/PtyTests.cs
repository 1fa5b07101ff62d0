using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>
/// Processes on a real pseudo-terminal: it is their stdin, stdout, stderr and controlling terminal,
/// with the requested size and environment, job control and Ctrl+C working, and Update resizing it.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class PtyTests(LocalAgentFixture agent)
{
    [Theory, BothProtocols]
    public async Task The_child_runs_on_a_terminal_of_the_requested_size(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell(
            "tty; test -t 0 && test -t 1 && test -t 2 && echo all-tty; echo \"term=$TERM\"; stty size", pty: ProcessRpc.Terminal(100, 30),
            envs: new Dictionary<string, string> { ["TERM"] = "xterm-256color" }));

        Assert.Equal(0, run.Stdout.Length);
        Assert.Equal(0, run.Stderr.Length);
        string[] lines = run.PtyText.Split("\r\n"); // the terminal turns \n into \r\n
        Assert.Matches(@"^/dev/pts/\d+$", lines[0]);
        Assert.Equal("all-tty", lines[1]);
        Assert.Equal("term=xterm-256color", lines[2]);
        Assert.Equal("30 100", lines[3]);
        Assert.Equal(0, run.End!.ExitCode);
    }

    [Fact]
    public async Task A_terminal_gets_no_size_nor_TERM_but_what_the_request_gives()
    {
        // As the real agent: the 80x24 xterm-256color of the official SDKs is theirs, sent in the request.
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("echo \"term=${TERM-unset}\"; stty size", pty: new PTY()));

        Assert.Equal("term=unset\r\n0 0\r\n", run.PtyText);
    }

    [Theory, BothProtocols]
    public async Task Update_resizes_the_terminal_and_the_child_gets_sigwinch(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(ProcessRpc.Shell(
            "trap 'echo \"winch $(stty size)\"; done=1' WINCH; echo ready; while [ -z \"$done\" ]; do sleep 0.05; done; stty size",
            pty: ProcessRpc.Terminal(80, 24)));
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);
        var output = new StringBuilder();
        await ReadPtyUntilAsync(call.ResponseStream, output, "ready\r\n");

        await rpc.Client.UpdateAsync(new UpdateRequest { Process = rpc.Pid(pid), Pty = ProcessRpc.Terminal(120, 40) }, rpc.Options(ProcessRpc.Patience));
        ProcessRun rest = await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event);

        Assert.Equal("winch 40 120\r\n40 120\r\n", rest.PtyText);
        Assert.Equal(0, rest.End!.ExitCode);
    }

    [Theory, BothProtocols]
    public async Task Update_of_a_process_without_a_terminal_is_refused(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(new StartRequest { Process = new ProcessConfig { Cmd = "sleep", Args = { "30" } } });
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.Client.UpdateAsync(
            new UpdateRequest { Process = rpc.Pid(pid), Pty = ProcessRpc.Terminal(100, 50) }, rpc.Options(ProcessRpc.Patience)).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Contains("tty", e.Status.Detail);
    }

    [Fact]
    public async Task Terminal_input_is_read_as_typed_lines()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(ProcessRpc.Shell("read line; echo \"got $line\"", pty: ProcessRpc.Terminal(80, 24)));
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        await rpc.SendPtyAsync(pid, "abc\r"); // Enter on a terminal is a carriage return
        ProcessRun rest = await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event);

        Assert.Equal("abc\r\ngot abc\r\n", rest.PtyText); // the terminal's echo, then the answer
    }

    [Fact]
    public async Task An_interactive_shell_has_job_control_and_ctrl_c_interrupts_its_foreground_job()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        var started = DateTime.UtcNow;
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(new StartRequest
        {
            Process = new ProcessConfig { Cmd = "/bin/bash", Args = { "--norc", "--noprofile", "-i" } },
            Pty = ProcessRpc.Terminal(80, 24),
        });
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);
        var output = new StringBuilder();

        await rpc.SendPtyAsync(pid, "echo mark-$((40+2)); sleep 10\r");
        await ReadPtyUntilAsync(call.ResponseStream, output, "mark-42\r\n");
        await Task.Delay(300); // let sleep start
        await rpc.SendPtyAsync(pid, "\x03"); // Ctrl+C: SIGINT to the terminal's foreground group
        await rpc.SendPtyAsync(pid, "set -o | grep '^monitor'; echo after-$((1+1)); exit\r");
        ProcessRun rest = await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event);
        string all = output + rest.PtyText;

        Assert.DoesNotContain("no job control", all);
        Assert.DoesNotContain("cannot set terminal process group", all);
        Assert.Matches(new Regex(@"monitor\s+on"), all);
        Assert.Contains("after-2\r\n", all);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8), "Ctrl+C did not interrupt sleep 10");
        Assert.True(rest.End!.Exited);
    }

    [Fact]
    public async Task Terminal_output_comes_in_chunks_of_at_most_16_KiB()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("head -c 300000 /dev/zero | tr '\\0' a", pty: ProcessRpc.Terminal(80, 24)));

        Assert.Equal(300000, run.Pty.Length);
        Assert.All(run.ChunkSizes, size => Assert.InRange(size, 1, 16 * 1024));
        Assert.True(run.Pty.ToArray().All(b => b == (byte)'a'));
    }

    static async Task ReadPtyUntilAsync(IAsyncStreamReader<StartResponse> stream, StringBuilder output, string marker)
    {
        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        while (!output.ToString().Contains(marker, StringComparison.Ordinal))
        {
            Assert.True(await stream.MoveNext(timeout.Token), $"the stream ended before '{marker}'; got: {output}");
            output.Append(stream.Current.Event.Data?.Pty.ToStringUtf8());
        }
    }
}
