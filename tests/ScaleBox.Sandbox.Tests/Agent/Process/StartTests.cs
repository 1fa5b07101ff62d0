using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>
/// Process/Start with real children: the event order, stdout and stderr kept apart, exit codes and
/// statuses as the real agent words them, the environment and working directory, byte-exact and
/// large output, and the errors for a bad directory or command.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class StartTests(LocalAgentFixture agent)
{
    [Theory, BothProtocols]
    public async Task Start_comes_first_end_last_and_stdout_and_stderr_stay_apart(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("echo out1; echo err1 >&2; echo out2; echo err2 >&2"));

        run.AssertFramed();
        Assert.True(run.Pid > 0);
        Assert.Equal("out1\nout2\n", run.StdoutText);
        Assert.Equal("err1\nerr2\n", run.StderrText);
        Assert.Equal(0, run.Pty.Length);
        Assert.Equal(0, run.End!.ExitCode);
        Assert.True(run.End.Exited);
        Assert.Equal("exit status 0", run.End.Status);
        Assert.False(run.End.HasError);
    }

    [Theory, BothProtocols]
    public async Task A_non_zero_exit_is_reported_with_its_code_status_and_error(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("exit 3"));

        Assert.Equal(3, run.End!.ExitCode);
        Assert.True(run.End.Exited);
        Assert.Equal("exit status 3", run.End.Status);
        Assert.Equal("exit status 3", run.End.Error);
    }

    [Fact]
    public async Task Exit_code_137_is_an_exit_and_not_mistaken_for_a_kill()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("exit 137"));

        Assert.Equal(137, run.End!.ExitCode);
        Assert.True(run.End.Exited);
        Assert.Equal("exit status 137", run.End.Status);
    }

    [Fact]
    public async Task A_child_that_dies_of_a_signal_is_reported_as_go_reports_it()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("kill -TERM $$"));

        Assert.Equal(-1, run.End!.ExitCode);
        Assert.False(run.End.Exited);
        Assert.Equal("signal: terminated", run.End.Status);
        Assert.Equal("signal: terminated", run.End.Error);
    }

    [Fact]
    public async Task The_child_gets_path_home_user_and_the_request_variables_and_runs_in_the_home_by_default()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        var envs = new Dictionary<string, string> { ["GREETING"] = "hello world", ["HOME"] = "/overridden" };

        ProcessRun defaults = await rpc.RunAsync(ProcessRpc.Shell("pwd; echo \"$HOME|$USER|$LOGNAME\"; test -n \"$PATH\" && echo has-path"));
        ProcessRun custom = await rpc.RunAsync(ProcessRpc.Shell("echo \"$GREETING|$HOME\"; env | grep -c '^HOME='", envs: envs));

        string user = Environment.UserName;
        Assert.Equal($"{agent.Home}\n{agent.Home}|{user}|{user}\nhas-path\n", defaults.StdoutText);
        Assert.Equal("hello world|/overridden\n1\n", custom.StdoutText); // the request wins, and HOME appears once
    }

    [Fact]
    public async Task The_child_does_not_inherit_the_agents_other_variables()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        Environment.SetEnvironmentVariable("SBX_TEST_AGENT_ONLY", "leak");
        try
        {
            ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("echo \"[${SBX_TEST_AGENT_ONLY}]\""));
            Assert.Equal("[]\n", run.StdoutText);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SBX_TEST_AGENT_ONLY", null);
        }
    }

    [Theory, BothProtocols]
    public async Task A_relative_or_absolute_cwd_is_used(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        string folder = agent.NewFolder("cwd");

        ProcessRun absolute = await rpc.RunAsync(ProcessRpc.Shell("pwd", cwd: folder));
        ProcessRun relative = await rpc.RunAsync(ProcessRpc.Shell("pwd", cwd: Path.GetFileName(folder)));

        Assert.Equal(folder + "\n", absolute.StdoutText);
        Assert.Equal(folder + "\n", relative.StdoutText);
    }

    [Theory, BothProtocols]
    public async Task A_missing_cwd_is_invalid_argument(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        string missing = Path.Combine(agent.Home, "no-such-dir-" + Guid.NewGuid().ToString("N"));

        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync(ProcessRpc.Shell("pwd", cwd: missing)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(missing, e.Status.Detail);
    }

    [Theory, BothProtocols]
    public async Task A_command_that_cannot_start_is_invalid_argument(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        string folder = agent.NewFolder("noexec");
        string notExecutable = Path.Combine(folder, "script.sh");
        await File.WriteAllTextAsync(notExecutable, "echo hi\n");

        var notOnPath = await Assert.ThrowsAsync<RpcException>(() =>
            rpc.RunAsync(new StartRequest { Process = new ProcessConfig { Cmd = "sbx-no-such-command" } }));
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            rpc.RunAsync(new StartRequest { Process = new ProcessConfig { Cmd = "/no/such/program" } }));
        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            rpc.RunAsync(new StartRequest { Process = new ProcessConfig { Cmd = notExecutable } }));

        Assert.Equal(StatusCode.InvalidArgument, notOnPath.StatusCode);
        Assert.Contains("executable file not found in $PATH", notOnPath.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains("no such file or directory", missing.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, denied.StatusCode);
        Assert.Contains("permission denied", denied.Status.Detail);
    }

    [Fact]
    public async Task Start_failures_are_worded_as_the_real_agent_words_them_for_pipes_and_terminals()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        string folder = agent.NewFolder("start-words");
        string file = Path.Combine(folder, "plain.txt");
        await File.WriteAllTextAsync(file, "x");

        var fileAsCwd = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync(ProcessRpc.Shell("pwd", cwd: file)));
        var missingOnTerminal = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync(new StartRequest
        {
            Process = new ProcessConfig { Cmd = "sbx-no-such-command", Cwd = folder },
            Pty = ProcessRpc.Terminal(100, 30),
        }));

        Assert.Equal(StatusCode.InvalidArgument, fileAsCwd.StatusCode);
        Assert.Equal($"error starting process '/bin/sh -c pwd': chdir {file}: not a directory", fileAsCwd.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, missingOnTerminal.StatusCode);
        Assert.Equal($"error starting pty with command 'sbx-no-such-command' in dir '{folder}' with '100' cols and '30' rows: "
            + "exec: \"sbx-no-such-command\": executable file not found in $PATH", missingOnTerminal.Status.Detail);
    }

    [Fact]
    public async Task The_program_is_looked_for_on_the_agent_PATH_and_the_request_PATH_is_the_child_own()
    {
        // As Go's exec.Command: the name is resolved before the child's environment is applied.
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        string folder = agent.NewFolder("own-path");
        string tool = Path.Combine(folder, "sbx-own-tool");
        await File.WriteAllTextAsync(tool, "#!/bin/sh\necho own\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var onlyOnChildPath = new Dictionary<string, string> { ["PATH"] = folder + ":/usr/bin:/bin" };

        var notFound = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync(
            new StartRequest { Process = new ProcessConfig { Cmd = "sbx-own-tool", Envs = { onlyOnChildPath } } }));
        ProcessRun viaShell = await rpc.RunAsync(ProcessRpc.Shell("sbx-own-tool; echo \"$PATH\"", envs: onlyOnChildPath));

        Assert.Equal(StatusCode.InvalidArgument, notFound.StatusCode);
        Assert.Contains("executable file not found in $PATH", notFound.Status.Detail);
        Assert.Equal($"own\n{folder}:/usr/bin:/bin\n", Encoding.UTF8.GetString(viaShell.Stdout.ToArray()));
    }

    [Theory, BothProtocols]
    public async Task Binary_output_arrives_byte_exact(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        string file = Path.Combine(agent.NewFolder("binary"), "random.bin");

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell($"head -c 1000000 /dev/urandom | tee '{file}'"));

        Assert.Equal(0, run.End!.ExitCode);
        Assert.Equal(1_000_000, run.Stdout.Length);
        Assert.Equal(SHA256.HashData(await File.ReadAllBytesAsync(file)), SHA256.HashData(run.Stdout.ToArray()));
    }

    [Theory, BothProtocols]
    public async Task Large_output_streams_through_in_chunks_of_at_most_32_KiB(SandboxProtocol protocol)
    {
        const long Size = 50L * 1024 * 1024;
        using var rpc = new ProcessRpc(agent, protocol);
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(ProcessRpc.Shell($"yes | head -c {Size}; yes e | head -c 100000 >&2"));

        // Count only: the output is never kept, as a client streaming it to disk would not keep it.
        long stdout = 0, stderr = 0;
        int chunks = 0, largest = 0;
        ProcessEvent.Types.EndEvent? end = null;
        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            ProcessEvent e = call.ResponseStream.Current.Event;
            if (e.EventCase == ProcessEvent.EventOneofCase.Data)
            {
                int length = e.Data.Stdout.Length + e.Data.Stderr.Length;
                stdout += e.Data.Stdout.Length;
                stderr += e.Data.Stderr.Length;
                largest = Math.Max(largest, length);
                chunks++;
            }
            else if (e.EventCase == ProcessEvent.EventOneofCase.End)
            {
                end = e.End;
            }
        }

        Assert.Equal(Size, stdout);
        Assert.Equal(100000, stderr);
        Assert.InRange(largest, 1, 32 * 1024);
        Assert.True(chunks >= Size / (32 * 1024), $"{chunks} chunks");
        Assert.Equal(0, end!.ExitCode);
    }

    [Theory, BothProtocols]
    public async Task Output_is_sent_as_soon_as_it_is_written_without_waiting_for_a_newline(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        // The child prints a partial line and then waits for input that only comes once the
        // partial line has been received: without prompt delivery this would never end.
        using AsyncServerStreamingCall<StartResponse> call = rpc.Start(ProcessRpc.Shell("printf 'name? '; read name; printf 'hi %s' \"$name\""));
        uint pid = await rpc.ReadStartAsync(call.ResponseStream, r => r.Event);

        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal("name? ", call.ResponseStream.Current.Event.Data.Stdout.ToStringUtf8());

        await rpc.SendStdinAsync(pid, "Ada\n");
        ProcessRun rest = await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event);
        Assert.Equal("hi Ada", rest.StdoutText);
        Assert.Equal(0, rest.End!.ExitCode);
    }

    [Fact]
    public async Task The_end_waits_for_output_but_not_for_a_background_child_holding_the_pipe()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        var started = DateTime.UtcNow;

        ProcessRun run = await rpc.RunAsync(ProcessRpc.Shell("sleep 5 & echo bye"));

        Assert.Equal("bye\n", run.StdoutText);
        Assert.Equal(0, run.End!.ExitCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4), "the end waited for the background sleep");
    }
}
