using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Tests.Infrastructure;
using ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Watch;

[Collection(LocalAgentCollection.Name)]
public sealed class ReconnectingWatchTests(LocalAgentFixture agent)
{
    // Raw bytes, so one rule fits HTTP/1.1 and HTTP/2 framing: past the headers and the start
    // event, somewhere in the stream of changes the test keeps making.
    const long CutAfterBytes = 4096;

    int PortFor(SandboxProtocol protocol) => protocol == SandboxProtocol.Grpc ? agent.Http2Address.Port : agent.HttpAddress.Port;

    static readonly SandboxWatchOptions Reconnecting = new()
    {
        Reconnect = true,
        FirstReconnectDelay = TimeSpan.FromMilliseconds(50),
        KeepaliveInterval = TimeSpan.FromSeconds(1),
    };

    [Theory, AllProtocols]
    public async Task A_cut_stream_reconnects_reports_the_gap_and_goes_on(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-cut");
        await using var proxy = new ConnectionCuttingProxy(PortFor(protocol));
        proxy.CutResponse(1, CutAfterBytes);
        using SandboxClient client = agent.CreateClientThrough(proxy, protocol);
        await using var watch = new WatchFollower(ct => client.Watchers.WatchAsync(folder, Reconnecting, ct));
        await watch.StartedAsync();

        SandboxWatchGap gap = await ChangeUntilGapAsync(folder, watch);

        Assert.Equal(1, proxy.CutCount);
        Assert.True(proxy.ConnectionCount >= 2);
        Assert.Equal(folder, gap.WatchedPath);
        Assert.True(gap.Started <= gap.Ended);
        Assert.True(gap.Attempts >= 1);
        Assert.False(string.IsNullOrWhiteSpace(gap.Reason));
        Assert.DoesNotContain(agent.AccessToken, gap.Reason);

        await File.WriteAllTextAsync(Path.Combine(folder, "after.txt"), "back");
        await watch.ChangeAsync("after.txt", SandboxChangeType.Create);
    }

    // gRPC-Web only: over HTTP/1.1 the new call gets a new connection at once. Over HTTP/2 the
    // channel's one connection is the stalled one, and the new call waits on it until the HTTP/2
    // keepalive pings (30 s + 20 s) drop it: longer than a test should wait.
    [Fact]
    public async Task A_silent_stream_is_taken_as_dropped_after_two_keepalive_intervals()
    {
        const SandboxProtocol protocol = SandboxProtocol.GrpcWeb;
        string folder = agent.NewFolder("watch-stall");
        await using var proxy = new ConnectionCuttingProxy(PortFor(protocol));
        proxy.StallResponse(1, CutAfterBytes);
        using SandboxClient client = agent.CreateClientThrough(proxy, protocol);
        await using var watch = new WatchFollower(ct => client.Watchers.WatchAsync(folder, Reconnecting, ct));
        await watch.StartedAsync();

        SandboxWatchGap gap = await ChangeUntilGapAsync(folder, watch);

        Assert.Contains("keepalive", gap.Reason);
        await File.WriteAllTextAsync(Path.Combine(folder, "after.txt"), "back");
        await watch.ChangeAsync("after.txt", SandboxChangeType.Create);
    }

    [Theory, AllProtocols]
    public async Task Without_reconnection_a_cut_stream_fails_with_a_clear_error(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-cut-once");
        await using var proxy = new ConnectionCuttingProxy(PortFor(protocol));
        proxy.CutResponse(1, CutAfterBytes);
        using SandboxClient client = agent.CreateClientThrough(proxy, protocol);
        await using var watch = new WatchFollower(ct => client.Watchers.WatchAsync(folder, cancellationToken: ct));
        await watch.StartedAsync();

        var error = await Assert.ThrowsAsync<SandboxException>(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, $"c{i:D4}.txt"), "x");
                await watch.ChangeAsync($"c{i:D4}.txt", SandboxChangeType.Create);
            }
        });

        Assert.Contains(folder, error.Message);
        Assert.DoesNotContain(agent.AccessToken, error.ToString());
    }

    /// <summary>Makes files one by one until the stream breaks and the watch says it is back.</summary>
    static async Task<SandboxWatchGap> ChangeUntilGapAsync(string folder, WatchFollower watch)
    {
        for (int i = 0; i < 1000; i++)
        {
            string name = $"c{i:D4}.txt";
            await File.WriteAllTextAsync(Path.Combine(folder, name), "x");
            SandboxWatchEvent e = await watch.UntilAsync<SandboxWatchEvent>(e =>
                e is SandboxWatchGap || (e is SandboxFileChange c && c.Name == name && c.ChangeType == SandboxChangeType.Create));
            if (e is SandboxWatchGap gap)
            {
                return gap;
            }
        }
        throw new Xunit.Sdk.XunitException("The stream was never cut.");
    }
}
