using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>List reports running processes with their config, pid and tag; tags select processes and need not be unique.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ListAndTagTests(LocalAgentFixture agent)
{
    [Theory, BothProtocols]
    public async Task List_shows_running_processes_with_config_pid_and_tag(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        string tag = "list-" + Guid.NewGuid().ToString("N")[..8];
        string folder = agent.NewFolder("list");
        var request = new StartRequest
        {
            Process = new ProcessConfig { Cmd = "sleep", Args = { "30" }, Cwd = folder, Envs = { ["A"] = "1" } },
            Tag = tag,
        };
        using AsyncServerStreamingCall<StartResponse> tagged = rpc.Start(request);
        using AsyncServerStreamingCall<StartResponse> untagged = rpc.Start(ProcessRpc.Shell("exec sleep 30"));
        uint taggedPid = await rpc.ReadStartAsync(tagged.ResponseStream, r => r.Event);
        uint untaggedPid = await rpc.ReadStartAsync(untagged.ResponseStream, r => r.Event);

        ListResponse list = await rpc.ListAsync();

        ProcessInfo info = Assert.Single(list.Processes, p => p.Pid == taggedPid);
        Assert.Equal(tag, info.Tag);
        Assert.Equal("sleep", info.Config.Cmd);
        Assert.Equal(["30"], info.Config.Args);
        Assert.Equal(folder, info.Config.Cwd);
        Assert.Equal("1", info.Config.Envs["A"]);
        ProcessInfo other = Assert.Single(list.Processes, p => p.Pid == untaggedPid);
        Assert.False(other.HasTag);
        Assert.Equal(["-c", "exec sleep 30"], other.Config.Args);

        await rpc.SignalAsync(rpc.Pid(taggedPid), Signal.Sigkill);
        await ProcessRun.ReadAsync(tagged.ResponseStream, r => r.Event);
        Assert.DoesNotContain((await rpc.ListAsync()).Processes, p => p.Pid == taggedPid); // ended: no longer listed
    }

    [Fact]
    public async Task A_tag_selects_the_first_running_process_that_carries_it()
    {
        using var rpc = new ProcessRpc(agent, SandboxProtocol.Grpc);
        string tag = "tag-" + Guid.NewGuid().ToString("N")[..8];
        using AsyncServerStreamingCall<StartResponse> first = rpc.Start(ProcessRpc.Shell("read x; echo \"first $x\"", tag: tag));
        uint firstPid = await rpc.ReadStartAsync(first.ResponseStream, r => r.Event);
        using AsyncServerStreamingCall<StartResponse> second = rpc.Start(ProcessRpc.Shell("read x; echo \"second $x\"", tag: tag));
        uint secondPid = await rpc.ReadStartAsync(second.ResponseStream, r => r.Event);

        // Tags need not be unique: both are listed with it.
        Assert.Equal(2, (await rpc.ListAsync()).Processes.Count(p => p.Tag == tag));

        // Input by tag goes to the first one started; once it has ended, the tag means the second.
        await rpc.Client.SendInputAsync(new SendInputRequest { Process = new ProcessSelector { Tag = tag }, Input = new ProcessInput { Stdin = ProcessRpc.ByteString("a\n") } },
            rpc.Options(ProcessRpc.Patience));
        ProcessRun firstRun = await ProcessRun.ReadAsync(first.ResponseStream, r => r.Event);
        Assert.Equal("first a\n", firstRun.StdoutText);

        using AsyncServerStreamingCall<ConnectResponse> connect = rpc.Connect(new ProcessSelector { Tag = tag });
        Assert.Equal(secondPid, await rpc.ReadStartAsync(connect.ResponseStream, r => r.Event));
        await rpc.SignalAsync(new ProcessSelector { Tag = tag }, Signal.Sigterm);
        ProcessRun secondRun = await ProcessRun.ReadAsync(connect.ResponseStream, r => r.Event);
        Assert.Equal("signal: terminated", secondRun.End!.Status);
        Assert.NotEqual(firstPid, secondPid);
    }

    [Theory, BothProtocols]
    public async Task An_unknown_tag_is_not_found(SandboxProtocol protocol)
    {
        using var rpc = new ProcessRpc(agent, protocol);
        string tag = "missing-" + Guid.NewGuid().ToString("N")[..8];

        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.SignalAsync(new ProcessSelector { Tag = tag }, Signal.Sigkill));
        var connect = await Assert.ThrowsAsync<RpcException>(() =>
            ProcessRun.ReadAsync(rpc.Connect(new ProcessSelector { Tag = tag }).ResponseStream, r => r.Event));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal($"process with tag {tag} not found", e.Status.Detail);
        Assert.Equal(StatusCode.NotFound, connect.StatusCode);
    }
}
