using Grpc.Core;
using ScaleBox.Sandbox.Agent.Hosting;
using ScaleBox.Sandbox.Agent.Watch;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Agent.Processes;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;
using static ScaleBox.Sandbox.Tests.Agent.Watch.WatchRpc;

namespace ScaleBox.Sandbox.Tests.Agent.Watch;

/// <summary>
/// A polled watcher's bound and expiry, on agents of their own started with a small
/// --watcher-capacity and a short --watcher-expiry. In the agents' collection so that no other
/// agent's inotify watches change the counts meanwhile.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class WatcherLimitsTests
{
    static AgentOptions With(AgentOptions o, int? capacity = null, TimeSpan? expiry = null) => new()
    {
        AccessToken = o.AccessToken,
        Home = o.Home,
        WatcherCapacity = capacity ?? o.WatcherCapacity,
        WatcherExpiry = expiry ?? o.WatcherExpiry,
    };

    const int Made = 2000;
    const string Last = "f1999";

    [Theory, BothProtocols]
    public async Task Past_the_bound_the_oldest_events_are_dropped_and_the_next_drain_says_how_many(SandboxProtocol protocol)
    {
        var agent = new LocalAgentFixture { Configure = o => With(o, capacity: 10) };
        await agent.InitializeAsync();
        try
        {
            string folder = agent.NewFolder("bound");
            using var rpc = new WatchRpc(agent, protocol);
            string id = await rpc.CreateWatcherAsync(folder);
            // A watch stream on the same folder tells when the kernel has reported the last file.
            using var stream = await rpc.WatchAsync(folder);

            // Far more than the bound, so that however the reader's batches fall between drains, the
            // watcher holds more than 10 when first drained (the kernel had them all queued by then).
            for (int i = 0; i < Made; i++) MakeEmptyFile(Path.Combine(folder, $"f{i:D4}"));
            await ReadUntilAsync(stream.ResponseStream, seen => Has(seen, Last, EventType.Create));

            var received = new List<FilesystemEvent>();
            long dropped = 0;
            using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
            while (!received.Any(e => e.Name == Last))
            {
                var (events, headers) = await rpc.DrainAsync(id);
                received.AddRange(events);
                if (headers.GetValue(WatcherHeaders.DroppedEvents) is { } count) dropped += long.Parse(count);
                if (events.Count == 0) await Task.Delay(20, timeout.Token);
            }

            Assert.Equal(Made, received.Count + dropped);
            Assert.True(dropped > 0, "nothing was dropped: " + Describe(received));
            // What was kept is in order and ends with the newest.
            var names = received.Select(e => e.Name).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            Assert.Equal(Last, names[^1]);
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_watcher_nobody_drains_expires_and_frees_its_inotify_watches()
    {
        var agent = new LocalAgentFixture { Configure = o => With(o, expiry: TimeSpan.FromSeconds(1)) };
        await agent.InitializeAsync();
        try
        {
            string folder = agent.NewFolder("expiry");
            int before = InotifyWatches.Count();
            using var rpc = new WatchRpc(agent, SandboxProtocol.Grpc);
            string id = await rpc.CreateWatcherAsync(folder);
            Assert.True(InotifyWatches.Count() > before, "the watcher holds no inotify watch");

            int after = await InotifyWatches.WaitForAsync(n => n <= before, ProcessRpc.Patience);

            Assert.True(after <= before, $"the watcher never expired: before {before}, after {after}");
            var error = await Assert.ThrowsAsync<RpcException>(() => rpc.DrainAsync(id));
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_watcher_drained_in_time_does_not_expire()
    {
        // The expiry is long beside the 200 ms between drains: on a loaded 2-core machine a test's
        // timer or call can stall for a second or two, and a stall as long as the expiry would
        // rightly expire the watcher.
        var agent = new LocalAgentFixture { Configure = o => With(o, expiry: TimeSpan.FromSeconds(5)) };
        await agent.InitializeAsync();
        try
        {
            string folder = agent.NewFolder("kept");
            using var rpc = new WatchRpc(agent, SandboxProtocol.Grpc);
            string id = await rpc.CreateWatcherAsync(folder);

            // Drained every 200 ms for over two expiry periods: each drain restarts its clock.
            for (int i = 0; i < 60; i++)
            {
                await rpc.DrainAsync(id);
                await Task.Delay(200);
            }

            await rpc.RemoveWatcherAsync(id);
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }
}
