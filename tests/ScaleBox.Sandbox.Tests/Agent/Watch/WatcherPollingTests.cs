using Grpc.Core;
using ScaleBox.Sandbox.Agent.Watch;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Agent.Processes;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;
using static ScaleBox.Sandbox.Tests.Agent.Watch.WatchRpc;

namespace ScaleBox.Sandbox.Tests.Agent.Watch;

/// <summary>CreateWatcher, GetWatcherEvents and RemoveWatcher over real sockets, and big bursts through both kinds of watch.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class WatcherPollingTests(LocalAgentFixture agent)
{
    const int Burst = 10_000;

    static string FileName(int i) => $"f{i:D5}";

    static void MakeEmptyFiles(string folder, int count)
    {
        for (int i = 0; i < count; i++)
        {
            File.Open(Path.Combine(folder, FileName(i)), FileMode.CreateNew).Dispose(); // CreateNew: no truncate, so no IN_MODIFY
        }
    }

    [Theory, BothProtocols]
    public async Task Ten_thousand_changes_are_drained_without_loss_and_in_order(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("poll-burst");
        using var rpc = new WatchRpc(agent, protocol);
        string id = await rpc.CreateWatcherAsync(folder);

        MakeEmptyFiles(folder, Burst);

        var created = new List<string>();
        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        while (created.Count < Burst)
        {
            var (events, headers) = await rpc.DrainAsync(id);
            Assert.Null(headers.GetValue(WatcherHeaders.DroppedEvents));
            Assert.Null(headers.GetValue(WatcherHeaders.Overflow));
            created.AddRange(events.Where(e => e.Type == EventType.Create).Select(e => e.Name));
            if (events.Count == 0)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        Assert.Equal(Enumerable.Range(0, Burst).Select(FileName), created);
        await rpc.RemoveWatcherAsync(id);
    }

    [Theory, BothProtocols]
    public async Task Ten_thousand_changes_reach_a_watch_stream_without_loss_and_in_order(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-burst");
        using var rpc = new WatchRpc(agent, protocol);
        using var call = await rpc.WatchAsync(folder);

        MakeEmptyFiles(folder, Burst);

        var events = await ReadUntilAsync(call.ResponseStream, seen => seen.Count >= Burst);
        Assert.Equal(Enumerable.Range(0, Burst).Select(FileName), events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(EventType.Create, e.Type));
    }

    [Theory, BothProtocols]
    public async Task Events_made_between_drains_come_once_each(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("poll-twice");
        using var rpc = new WatchRpc(agent, protocol);
        string id = await rpc.CreateWatcherAsync(folder);

        MakeEmptyFile(Path.Combine(folder, "first"));
        var first = await DrainUntilAsync(rpc, id, "first");
        MakeEmptyFile(Path.Combine(folder, "second"));
        var second = await DrainUntilAsync(rpc, id, "second");

        Assert.Equal(["Create first"], first.Select(e => $"{e.Type} {e.Name}"));
        Assert.Equal(["Create second"], second.Select(e => $"{e.Type} {e.Name}"));
        await rpc.RemoveWatcherAsync(id);
    }

    /// <summary>Drains until an event names <paramref name="name"/>; returns everything drained.</summary>
    static async Task<List<FilesystemEvent>> DrainUntilAsync(WatchRpc rpc, string id, string name)
    {
        var all = new List<FilesystemEvent>();
        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        while (!all.Any(e => e.Name == name))
        {
            var (events, _) = await rpc.DrainAsync(id);
            all.AddRange(events);
            if (events.Count == 0) await Task.Delay(20, timeout.Token);
        }
        return all;
    }

    [Theory, BothProtocols]
    public async Task An_unknown_watcher_is_not_found(SandboxProtocol protocol)
    {
        using var rpc = new WatchRpc(agent, protocol);

        var drain = await Assert.ThrowsAsync<RpcException>(() => rpc.DrainAsync("no-such-watcher"));
        var remove = await Assert.ThrowsAsync<RpcException>(() => rpc.RemoveWatcherAsync("no-such-watcher"));

        Assert.Equal(StatusCode.NotFound, drain.StatusCode);
        Assert.Equal(StatusCode.NotFound, remove.StatusCode);
    }

    [Theory, BothProtocols]
    public async Task A_removed_watcher_is_not_found_and_its_inotify_watches_are_freed(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("poll-remove");
        int before = InotifyWatches.Count();
        using var rpc = new WatchRpc(agent, protocol);
        string id = await rpc.CreateWatcherAsync(folder);
        int during = InotifyWatches.Count();

        await rpc.RemoveWatcherAsync(id);

        var error = await Assert.ThrowsAsync<RpcException>(() => rpc.DrainAsync(id));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.True(during > before, $"the watcher held no inotify watch: before {before}, during {during}");
        Assert.True(await InotifyWatches.WaitForAsync(n => n <= before, ProcessRpc.Patience) <= before, "the watcher's inotify watches were not freed");
    }

    [Theory, BothProtocols]
    public async Task Creating_a_watcher_on_a_missing_folder_or_a_file_fails_as_watch_does(SandboxProtocol protocol)
    {
        string file = Path.Combine(agent.NewFolder("poll-file"), "plain.txt");
        await File.WriteAllTextAsync(file, "x");
        using var rpc = new WatchRpc(agent, protocol);

        var missing = await Assert.ThrowsAsync<RpcException>(() => rpc.CreateWatcherAsync(file + ".missing"));
        var notFolder = await Assert.ThrowsAsync<RpcException>(() => rpc.CreateWatcherAsync(file));

        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, notFolder.StatusCode);
    }
}
