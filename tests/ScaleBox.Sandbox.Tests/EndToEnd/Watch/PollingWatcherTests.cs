using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Watch;

[Collection(LocalAgentCollection.Name)]
public sealed class PollingWatcherTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task Changes_gather_until_drained_and_a_removed_watcher_is_NotFound(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("poll");
        using SandboxClient client = agent.CreateClient(protocol);
        SandboxWatcher watcher = await client.Watchers.CreateAsync(folder);
        Assert.False(string.IsNullOrEmpty(watcher.Id));
        Assert.Equal(folder, watcher.Path);
        Assert.False(watcher.Recursive);

        Assert.Empty(await client.Watchers.GetEventsAsync(watcher));
        await File.WriteAllTextAsync(Path.Combine(folder, "p.txt"), "p");
        List<SandboxFileChange> changes = await DrainUntilAsync(client, watcher, c => c.Any(e => e.Name == "p.txt" && e.ChangeType == SandboxChangeType.Create));
        Assert.Equal(Path.Combine(folder, "p.txt"), changes.First(e => e.Name == "p.txt").FullPath);

        await client.Watchers.RemoveAsync(watcher);
        SandboxException gone = await Assert.ThrowsAsync<SandboxException>(() => client.Watchers.GetEventsAsync(watcher));
        Assert.Equal(SandboxErrorCode.NotFound, gone.Code);
        Assert.Equal(watcher.Id, gone.Target);
    }

    [Theory, AllProtocols]
    public async Task Ten_thousand_changes_drain_without_loss_and_in_order(SandboxProtocol protocol)
    {
        const int Count = 10_000;
        string folder = agent.NewFolder("poll-many");
        using SandboxClient client = agent.CreateClient(protocol);
        SandboxWatcher watcher = await client.Watchers.CreateAsync(folder);
        var seen = new List<string>(Count);
        try
        {
            for (int i = 0; i < Count; i++)
            {
                File.Create(Path.Combine(folder, $"f{i:D5}")).Dispose(); // empty: a Create and nothing else
                if (i % 1000 == 999)
                {
                    Collect(await client.Watchers.GetEventsAsync(watcher), seen);
                }
            }
            DateTime giveUp = DateTime.UtcNow + WatchFollower.Patience;
            while (seen.Count < Count && DateTime.UtcNow < giveUp)
            {
                IReadOnlyList<SandboxFileChange> batch = await client.Watchers.GetEventsAsync(watcher);
                Collect(batch, seen);
                if (batch.Count == 0)
                {
                    await Task.Delay(100);
                }
            }
        }
        finally
        {
            await client.Watchers.RemoveAsync(watcher);
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"f{i:D5}"), seen);
    }

    [Theory, AllProtocols]
    public async Task A_drain_says_how_many_changes_the_watcher_dropped_past_its_bound(SandboxProtocol protocol)
    {
        // An agent of its own that keeps at most 10 changes per watcher; the count of the rest comes in a response header.
        var small = new LocalAgentFixture
        {
            Configure = o => new() { AccessToken = o.AccessToken, Home = o.Home, WatcherCapacity = 10, WatcherExpiry = o.WatcherExpiry },
        };
        await small.InitializeAsync();
        try
        {
            string folder = small.NewFolder("lossy");
            using SandboxClient client = small.CreateClient(protocol);
            SandboxWatcher watcher = await client.Watchers.CreateAsync(folder);
            for (int i = 0; i < 30; i++)
            {
                File.Create(Path.Combine(folder, $"x{i}")).Dispose();
            }

            // The changes reach the watcher as inotify reports them: drain until the loss is told.
            long dropped = 0;
            int kept = 0;
            DateTime giveUp = DateTime.UtcNow + WatchFollower.Patience;
            while (dropped == 0)
            {
                Assert.True(DateTime.UtcNow < giveUp, $"no drain told of a loss; {kept} changes came");
                await Task.Delay(100);
                SandboxWatcherDrain drain = await client.Watchers.DrainAsync(watcher);
                dropped += drain.DroppedCount;
                kept += drain.Changes.Count;
                Assert.True(drain.Changes.Count <= 10, $"a drain brought {drain.Changes.Count} changes past the bound of 10");
            }
        }
        finally
        {
            await small.DisposeAsync();
        }
    }

    static void Collect(IReadOnlyList<SandboxFileChange> batch, List<string> seen) =>
        seen.AddRange(batch.Where(e => e.ChangeType == SandboxChangeType.Create).Select(e => e.Name));

    static async Task<List<SandboxFileChange>> DrainUntilAsync(SandboxClient client, SandboxWatcher watcher, Func<List<SandboxFileChange>, bool> done)
    {
        var all = new List<SandboxFileChange>();
        DateTime giveUp = DateTime.UtcNow + WatchFollower.Patience;
        while (!done(all))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"The change did not come; so far: {string.Join(", ", all)}");
            all.AddRange(await client.Watchers.GetEventsAsync(watcher));
            await Task.Delay(50);
        }
        return all;
    }
}
