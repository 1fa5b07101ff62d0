using System.Security.Cryptography;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Processes;

/// <summary>
/// Starting processes through the client against the real agent: the event order, stdout and stderr
/// kept apart, exit codes and signals, byte-exact and large output, UTF-8 split across chunks, the
/// environment and directory, and the lifetime rules (no hidden deadline; a timeout kills).
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class StartProcessTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task Started_comes_first_exit_last_and_stdout_and_stderr_stay_apart(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);

        ProcessRun run = await client.Processes.RunAsync("echo out1; echo err1 >&2; echo out2; echo err2 >&2");

        run.AssertFramed();
        Assert.True(run.Pid > 0);
        Assert.Equal("out1\nout2\n", run.Stdout);
        Assert.Equal("err1\nerr2\n", run.Stderr);
        Assert.Empty(run.Outputs(SandboxProcessStream.Pty));
        Assert.True(run.Exit.Succeeded);
        Assert.Equal(0, run.Exit.ExitCode);
        Assert.Equal("exit status 0", run.Exit.Status);
        Assert.Null(run.Exit.Error);
    }

    [Theory, AllProtocols]
    public async Task A_non_zero_exit_code_is_reported_with_status_and_error(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);

        ProcessRun run = await client.Processes.RunAsync("echo failing >&2; exit 3");

        Assert.Equal(3, run.Exit.ExitCode);
        Assert.True(run.Exit.Exited);
        Assert.False(run.Exit.Succeeded);
        Assert.Equal("exit status 3", run.Exit.Status);
        Assert.Equal("exit status 3", run.Exit.Error);
        Assert.Equal("failing\n", run.Stderr);
    }

    [Theory, AllProtocols]
    public async Task A_signal_ends_the_process_with_code_minus_one_and_not_exited(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        await using var follower = new ProcessFollower(ct => client.Processes.StartAsync(new SandboxProcessStartInfo("sleep", ["30"]), ct));
        uint pid = await follower.StartedAsync();
        try
        {
            await client.Processes.SendSignalAsync(SandboxProcessSelector.ByPid(pid), SandboxSignal.Terminate);

            SandboxProcessExit exit = await follower.ExitAsync();

            Assert.Equal(pid, exit.Pid);
            Assert.Equal(-1, exit.ExitCode);
            Assert.False(exit.Exited);
            Assert.False(exit.Succeeded);
            Assert.Contains("signal", exit.Status);
            Assert.Equal("signal: terminated", exit.Status);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Fact]
    public async Task Kill_is_reported_as_signal_killed()
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.Grpc);
        await using var follower = new ProcessFollower(ct => client.Processes.StartAsync(new SandboxProcessStartInfo("sleep", ["30"]), ct));
        uint pid = await follower.StartedAsync();
        try
        {
            await client.Processes.SendSignalAsync(SandboxProcessSelector.ByPid(pid), SandboxSignal.Kill);

            SandboxProcessExit exit = await follower.ExitAsync();

            Assert.Equal(-1, exit.ExitCode);
            Assert.False(exit.Exited);
            Assert.Equal("signal: killed", exit.Status);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Theory, AllProtocols]
    public async Task Binary_output_arrives_byte_for_byte(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("proc-binary");
        string path = Path.Combine(folder, "blob.bin");
        byte[] content = new byte[300_000];
        new Random(1234).NextBytes(content);
        for (int i = 0; i < 256; i++)
        {
            content[i] = (byte)i; // every byte value, including NUL and invalid UTF-8
        }
        await File.WriteAllBytesAsync(path, content);
        using SandboxClient client = agent.CreateClient(protocol);

        ProcessRun run = await client.Processes.RunAsync(new SandboxProcessStartInfo("cat", [path]));

        Assert.True(run.Exit.Succeeded);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(run.Bytes(SandboxProcessStream.Stdout)));
        Assert.True(run.Outputs(SandboxProcessStream.Stdout).Count() > 1, "300 KB comes in several chunks");
    }

    [Theory, AllProtocols]
    public async Task Fifty_megabytes_of_output_stream_through_without_being_held(SandboxProtocol protocol)
    {
        const long Total = 50L * 1024 * 1024;
        using SandboxClient client = agent.CreateClient(protocol);
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long received = 0, largestChunk = 0, peakGrowth = 0, nextSample = 10L * 1024 * 1024;
        SandboxProcessExit? exit = null;

        await foreach (SandboxProcessEvent e in client.Processes.StartAsync(new SandboxProcessStartInfo("head", ["-c", Total.ToString(), "/dev/zero"]), patience.Token))
        {
            switch (e)
            {
                case SandboxProcessOutput output:
                    received += output.Bytes.Length;
                    largestChunk = Math.Max(largestChunk, output.Bytes.Length);
                    if (received >= nextSample)
                    {
                        // Live memory after a full collection: what the stream holds on to, not garbage.
                        peakGrowth = Math.Max(peakGrowth, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                        nextSample += 10L * 1024 * 1024;
                    }
                    break;
                case SandboxProcessExit x:
                    exit = x;
                    break;
            }
        }

        Assert.True(exit!.Succeeded);
        Assert.Equal(Total, received);
        Assert.InRange(largestChunk, 1, 64 * 1024);
        // Holding the output would be 40+ MB by the last sample (and twice that as text).
        Assert.True(peakGrowth < 20L * 1024 * 1024, $"live memory grew by {peakGrowth / 1024 / 1024} MB while streaming");
    }

    [Theory, AllProtocols]
    public async Task A_character_split_across_chunks_arrives_whole(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);

        // é = C3 A9, € = E2 82 AC, 😀 = F0 9F 98 80: each cut in two, with a pause so the halves come apart.
        ProcessRun run = await client.Processes.RunAsync(
            @"printf 'a\xc3'; sleep 0.2; printf '\xa9b\xe2\x82'; sleep 0.2; printf '\xac\xf0\x9f'; sleep 0.2; printf '\x98\x80\n'");

        Assert.True(run.Exit.Succeeded);
        Assert.Equal("aéb€😀\n", run.Stdout);
        Assert.All(run.Outputs(SandboxProcessStream.Stdout), o => Assert.DoesNotContain('\uFFFD', o.Text));
        Assert.Equal("aéb€😀\n"u8.ToArray(), run.Bytes(SandboxProcessStream.Stdout));
    }

    [Theory, AllProtocols]
    public async Task Characters_cut_where_a_burst_is_split_into_chunks_arrive_whole(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        // One byte first, then two-byte characters: every 32 KiB chunk boundary (an even offset) falls
        // inside a character, however the agent joins or splits the burst.
        const int Characters = 200_000;

        ProcessRun run = await client.Processes.RunAsync($"printf x; yes é | tr -d '\\n' | head -c {2 * Characters}");

        Assert.True(run.Exit.Succeeded);
        Assert.Equal("x" + new string('é', Characters), run.Stdout);
        Assert.All(run.Outputs(SandboxProcessStream.Stdout), o => Assert.DoesNotContain('\uFFFD', o.Text));
    }

    [Theory, AllProtocols]
    public async Task The_environment_and_working_directory_are_the_ones_asked_for(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("proc-cwd");
        using SandboxClient client = agent.CreateClient(protocol);
        SandboxProcessStartInfo info = SandboxProcessStartInfo.ForCommand("pwd; echo \"$GREETING\"");
        info.WorkingDirectory = folder;
        info.Environment["GREETING"] = "hello world €";

        ProcessRun run = await client.Processes.RunAsync(info);

        Assert.Equal(folder + "\nhello world €\n", run.Stdout);
    }

    [Theory, AllProtocols]
    public async Task A_process_outlives_the_session_timeout_and_keepalives_never_surface(SandboxProtocol protocol)
    {
        // The session's timeout is for answers (here, the start); a process without a Timeout runs as
        // long as it needs. Not 1 s: the start must come within it while other tests load the machine.
        using SandboxClient client = agent.CreateClient(protocol, timeout: TimeSpan.FromSeconds(2));
        SandboxProcessStartInfo info = SandboxProcessStartInfo.ForCommand("sleep 3.5; echo done");
        info.KeepaliveInterval = TimeSpan.FromSeconds(1);

        ProcessRun run = await client.Processes.RunAsync(info);

        run.AssertFramed();
        Assert.True(run.Exit.Succeeded);
        Assert.Equal("done\n", run.Stdout);
        Assert.All(run.Events, e => Assert.True(e is SandboxProcessStarted or SandboxProcessOutput or SandboxProcessExit));
    }

    [Theory, AllProtocols]
    public async Task A_timeout_kills_the_process_and_says_so(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        var info = new SandboxProcessStartInfo("sleep", ["30"]) { Timeout = TimeSpan.FromSeconds(1), Tag = ProcessKit.UniqueTag("timeout") };
        var events = new List<SandboxProcessEvent>();

        var error = await Assert.ThrowsAsync<SandboxException>(async () =>
        {
            await foreach (SandboxProcessEvent e in client.Processes.StartAsync(info))
            {
                events.Add(e);
            }
        });

        uint pid = Assert.IsType<SandboxProcessStarted>(Assert.Single(events)).Pid;
        try
        {
            Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
            Assert.Equal($"pid {pid}", error.Target);
            Assert.Contains("timeout of 1 s", error.Message);
            Assert.Contains("killed", error.Message);

            // The agent really killed it: the remembered exit says so.
            using var patience = new CancellationTokenSource(ProcessKit.Patience);
            SandboxProcessExit exit = await client.Processes.WaitAsync(SandboxProcessSelector.ByPid(pid), patience.Token);
            Assert.False(exit.Exited);
            Assert.Equal("signal: killed", exit.Status);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Theory, AllProtocols]
    public async Task A_missing_working_directory_is_an_invalid_argument(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        string missing = Path.Combine(agent.Home, "no-such-dir-" + Guid.NewGuid().ToString("N"));
        var info = new SandboxProcessStartInfo("pwd") { WorkingDirectory = missing };

        var error = await Assert.ThrowsAsync<SandboxException>(() => client.Processes.RunAsync(info));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
        Assert.Contains(missing, error.Message);
        Assert.Equal("pwd", error.Target);
    }

    [Theory, AllProtocols]
    public async Task A_program_that_does_not_exist_is_an_invalid_argument(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);

        var error = await Assert.ThrowsAsync<SandboxException>(() =>
            client.Processes.RunAsync(new SandboxProcessStartInfo("no-such-program-" + Guid.NewGuid().ToString("N")[..8])));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
        Assert.Contains("not found", error.ServerMessage);
    }

    [Fact]
    public void Bad_start_info_is_refused_before_anything_is_sent()
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        Assert.Throws<ArgumentException>(() => client.Processes.StartAsync(new SandboxProcessStartInfo()));
        Assert.Throws<ArgumentNullException>(() => client.Processes.StartAsync(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Processes.StartAsync(new SandboxProcessStartInfo("ls") { Timeout = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Processes.StartAsync(new SandboxProcessStartInfo("ls") { KeepaliveInterval = TimeSpan.Zero }));
    }
}
