using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Watch;

[Collection(LocalAgentCollection.Name)]
public sealed class WaitForItemTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task An_existing_item_comes_back_at_once(SandboxProtocol protocol)
    {
        string file = Path.Combine(agent.NewFolder("wait-existing"), "done.txt");
        await File.WriteAllTextAsync(file, "ok");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxItem item = await client.Watchers.WaitForItemAsync(file).WaitAsync(WatchFollower.Patience);

        Assert.Equal(file, item.Path);
        Assert.Equal(SandboxItemType.File, item.Type);
    }

    [Theory, AllProtocols]
    public async Task An_item_made_later_comes_back_when_it_appears(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("wait-later");
        string file = Path.Combine(folder, "done.txt");
        using SandboxClient client = agent.CreateClient(protocol);
        Task<SandboxItem> waiting = client.Watchers.WaitForItemAsync(file);
        await File.WriteAllTextAsync(Path.Combine(folder, "other.txt"), "not it");
        Assert.False(waiting.IsCompleted);

        await File.WriteAllTextAsync(file, "ok");
        SandboxItem item = await waiting.WaitAsync(WatchFollower.Patience);

        Assert.Equal(file, item.Path);
    }

    [Theory, AllProtocols]
    public async Task A_missing_parent_is_NotFound_and_cancelling_stops_the_wait(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("wait-bad");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Watchers.WaitForItemAsync(Path.Combine(folder, "no", "x.txt")));
        Assert.Equal(SandboxErrorCode.NotFound, error.Code);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Watchers.WaitForItemAsync(Path.Combine(folder, "never.txt"), cancel.Token));
    }
}
