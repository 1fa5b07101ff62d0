using System.Text;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Processes;

/// <summary>
/// A process belongs to the sandbox, not to the stream that started it: it survives a dropped or
/// cut stream, shows in the list, and can be attached to again by pid or tag to get its later
/// output and its exit. A cut stream says so and names the pid.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ReattachTests(LocalAgentFixture agent)
{
    /// <summary>Waits for two lines of input, answering each: output only when the test asks for it.</summary>
    static SandboxProcessStartInfo Conversation(string tag, string? cwd = null)
    {
        SandboxProcessStartInfo info = SandboxProcessStartInfo.ForCommand("read a; echo \"got $a\"; read b; echo \"bye $b\"; exit 4");
        info.Tag = tag;
        info.WorkingDirectory = cwd;
        info.Environment["MOOD"] = "patient";
        return info;
    }

    static byte[] Line(string text) => Encoding.UTF8.GetBytes(text + "\n");

    [Theory, AllProtocols]
    public async Task A_process_survives_a_dropped_stream_and_is_reattached_by_tag_and_by_pid(SandboxProtocol protocol)
    {
        string tag = ProcessKit.UniqueTag("reattach");
        string folder = agent.NewFolder("reattach");
        using SandboxClient client = agent.CreateClient(protocol);
        uint? pid = null;
        try
        {
            // Start, then stop following as soon as it runs.
            await using (var first = new ProcessFollower(ct => client.Processes.StartAsync(Conversation(tag, folder), ct)))
            {
                pid = await first.StartedAsync();
                first.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first.NextAsync());
            }

            // Still running, and listed with its tag and configuration.
            IReadOnlyList<SandboxProcessInfo> listed = await client.Processes.ListAsync();
            SandboxProcessInfo info = Assert.Single(listed, p => p.Pid == pid);
            Assert.Equal(tag, info.Tag);
            Assert.Equal("/bin/bash", info.FileName);
            Assert.Equal(["-l", "-c", "read a; echo \"got $a\"; read b; echo \"bye $b\"; exit 4"], info.Arguments);
            Assert.Equal("patient", info.Environment["MOOD"]);
            Assert.Equal(folder, info.WorkingDirectory);
            Assert.Equal(agent.DomainFor(protocol), info.Domain);

            // Attach by tag: later output arrives.
            await using (var byTag = new ProcessFollower(ct => client.Processes.ConnectAsync(SandboxProcessSelector.ByTag(tag), ct)))
            {
                Assert.Equal(pid, await byTag.StartedAsync());
                await client.Processes.SendInputAsync(SandboxProcessSelector.ByTag(tag), Line("one"), SandboxInputTarget.Stdin);
                Assert.Equal("got one\n", await byTag.ReadUntilAsync("got one\n"));
            }

            // Attach by pid: the rest of the output, and the exit.
            await using (var byPid = new ProcessFollower(ct => client.Processes.ConnectAsync(SandboxProcessSelector.ByPid(pid.Value), ct)))
            {
                Assert.Equal(pid, await byPid.StartedAsync());
                await client.Processes.SendInputAsync(SandboxProcessSelector.ByPid(pid.Value), Line("two"), SandboxInputTarget.Stdin);
                Assert.Equal("bye two\n", await byPid.ReadUntilAsync("bye two\n"));
                SandboxProcessExit exit = await byPid.ExitAsync();
                Assert.Equal(4, exit.ExitCode);
                Assert.Equal(pid, exit.Pid);
            }

            // Ended: no longer listed, but still remembered: attaching gives the start and the exit.
            Assert.DoesNotContain(await client.Processes.ListAsync(), p => p.Pid == pid);
            await using var late = new ProcessFollower(ct => client.Processes.ConnectAsync(SandboxProcessSelector.ByPid(pid.Value), ct));
            Assert.Equal(pid, await late.StartedAsync());
            Assert.Equal(4, (await late.ExitAsync()).ExitCode);
            Assert.Equal(2, late.Events.Count);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Theory, AllProtocols]
    public async Task Breaking_out_of_the_enumeration_leaves_the_process_running(SandboxProtocol protocol)
    {
        string tag = ProcessKit.UniqueTag("break");
        using SandboxClient client = agent.CreateClient(protocol);
        uint? pid = null;
        try
        {
            await foreach (SandboxProcessEvent e in client.Processes.StartAsync(Conversation(tag)))
            {
                pid = e.Pid;
                break; // as Select-Object -First 1 would
            }

            Assert.Contains(await client.Processes.ListAsync(), p => p.Pid == pid && p.Tag == tag);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Theory, AllProtocols]
    public async Task A_cut_connection_says_the_stream_was_cut_names_the_pid_and_the_process_can_be_reattached(SandboxProtocol protocol)
    {
        await using var relay = new TcpRelay(protocol == SandboxProtocol.Grpc ? agent.Http2Address.Port : agent.HttpAddress.Port);
        var options = new SandboxClientOptions(SandboxEndpoint.Parse(relay.Domain), new AccessToken(agent.AccessToken))
        {
            Protocol = protocol,
            Timeout = TimeSpan.FromSeconds(15),
        };
        using var viaRelay = new SandboxClient(options);
        using SandboxClient direct = agent.CreateClient(protocol);
        string tag = ProcessKit.UniqueTag("cut");
        uint? pid = null;
        try
        {
            await using var follower = new ProcessFollower(ct => viaRelay.Processes.StartAsync(Conversation(tag), ct));
            pid = await follower.StartedAsync();

            Assert.True(relay.CutAll() > 0);
            var error = await Assert.ThrowsAsync<SandboxException>(async () => await follower.NextAsync());

            Assert.True(error.Code is SandboxErrorCode.Unavailable or SandboxErrorCode.Aborted, error.Code.ToString());
            Assert.Equal($"pid {pid}", error.Target);
            Assert.Contains($"pid {pid}", error.Message);
            Assert.Contains("may still be running", error.Message);
            Assert.DoesNotContain(agent.AccessToken, error.ToString());

            // The process did not notice: attach again and finish the conversation.
            await using var again = new ProcessFollower(ct => direct.Processes.ConnectAsync(SandboxProcessSelector.ByPid(pid.Value), ct));
            Assert.Equal(pid, await again.StartedAsync());
            await direct.Processes.SendInputAsync(SandboxProcessSelector.ByPid(pid.Value), Line("one"));
            await again.ReadUntilAsync("got one\n");
            await direct.Processes.SendInputAsync(SandboxProcessSelector.ByPid(pid.Value), Line("two"));
            await again.ReadUntilAsync("bye two\n");
            Assert.Equal(4, (await again.ExitAsync()).ExitCode);
        }
        finally
        {
            await direct.KillQuietlyAsync(pid);
        }
    }

    [Theory, AllProtocols]
    public async Task WaitAsync_reattaches_by_pid_when_its_connection_is_cut(SandboxProtocol protocol)
    {
        await using var relay = new TcpRelay(protocol == SandboxProtocol.Grpc ? agent.Http2Address.Port : agent.HttpAddress.Port);
        var options = new SandboxClientOptions(SandboxEndpoint.Parse(relay.Domain), new AccessToken(agent.AccessToken))
        {
            Protocol = protocol,
            Timeout = TimeSpan.FromSeconds(15),
        };
        using var viaRelay = new SandboxClient(options);
        using SandboxClient direct = agent.CreateClient(protocol);
        using var patience = new CancellationTokenSource(ProcessKit.Patience);
        string tag = ProcessKit.UniqueTag("wait-cut");
        // Talks steadily for about two seconds, 200 bytes at a time, then exits with 6.
        SandboxProcessStartInfo info = SandboxProcessStartInfo.ForCommand(
            "for i in $(seq 1 40); do printf '%0199d\\n' $i; sleep 0.05; done; exit 6");
        info.Tag = tag;
        uint? pid = null;
        try
        {
            await using (var starter = new ProcessFollower(ct => direct.Processes.StartAsync(info, ct)))
            {
                pid = await starter.StartedAsync();
            }

            Task<SandboxProcessExit> waiting = viaRelay.Processes.WaitAsync(SandboxProcessSelector.ByTag(tag), patience.Token);
            // Once a few lines went through, the waiter has long had the start (which comes first) and knows the pid.
            while (relay.BytesToClients < 3_000 && !waiting.IsCompleted)
            {
                await Task.Delay(20, patience.Token);
            }
            Assert.False(waiting.IsCompleted, "the process still talks, so the waiter is still waiting");
            Assert.True(relay.CutAll() > 0);

            SandboxProcessExit exit = await waiting;

            Assert.Equal(pid, exit.Pid);
            Assert.Equal(6, exit.ExitCode);
        }
        finally
        {
            await direct.KillQuietlyAsync(pid);
        }
    }

    [Theory, AllProtocols]
    public async Task WaitAsync_returns_the_exit_of_a_running_and_of_an_ended_process(SandboxProtocol protocol)
    {
        string tag = ProcessKit.UniqueTag("wait");
        using SandboxClient client = agent.CreateClient(protocol);
        using var patience = new CancellationTokenSource(ProcessKit.Patience);
        uint? pid = null;
        try
        {
            await using (var starter = new ProcessFollower(ct => client.Processes.StartAsync(Conversation(tag), ct)))
            {
                pid = await starter.StartedAsync();
            }

            Task<SandboxProcessExit> waiting = client.Processes.WaitAsync(SandboxProcessSelector.ByTag(tag), patience.Token);
            await client.Processes.SendInputAsync(SandboxProcessSelector.ByPid(pid.Value), Line("a\nb"));
            SandboxProcessExit exit = await waiting;

            Assert.Equal(pid, exit.Pid);
            Assert.Equal(4, exit.ExitCode);
            Assert.True(exit.Exited);
            Assert.Equal("exit status 4", exit.Status);

            SandboxProcessExit again = await client.Processes.WaitAsync(SandboxProcessSelector.ByPid(pid.Value), patience.Token);
            Assert.Equal(4, again.ExitCode);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Theory, AllProtocols]
    public async Task Tags_need_not_be_unique_and_the_list_shows_every_running_process(SandboxProtocol protocol)
    {
        string tag = ProcessKit.UniqueTag("twins");
        using SandboxClient client = agent.CreateClient(protocol);
        var pids = new List<uint>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                await using var starter = new ProcessFollower(ct => client.Processes.StartAsync(Conversation(tag), ct));
                pids.Add(await starter.StartedAsync());
            }

            IReadOnlyList<SandboxProcessInfo> twins = (await client.Processes.ListAsync()).Where(p => p.Tag == tag).ToList();
            Assert.Equal(pids, twins.Select(p => p.Pid));

            // By tag: the first started of the running ones.
            await using var byTag = new ProcessFollower(ct => client.Processes.ConnectAsync(SandboxProcessSelector.ByTag(tag), ct));
            Assert.Equal(pids[0], await byTag.StartedAsync());
        }
        finally
        {
            foreach (uint pid in pids)
            {
                await client.KillQuietlyAsync(pid);
            }
        }
    }
}
