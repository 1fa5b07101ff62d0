using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

/// <summary>Relative and <c>~</c> paths start at the agent's home, as the real agent starts them at the user's.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class PathResolutionTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task A_relative_path_resolves_against_the_home_folder(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("relative");
        string name = Path.GetFileName(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "inside.txt"), "x");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxItem item = await client.Files.GetItemAsync(name + "/inside.txt");
        IReadOnlyList<SandboxItem> listed = await client.Files.GetChildItemsAsync(name);

        Assert.Equal(Path.Combine(folder, "inside.txt"), item.Path);
        Assert.Equal(SandboxItemType.File, item.Type);
        Assert.Equal([Path.Combine(folder, "inside.txt")], listed.Select(i => i.Path));
    }

    [Theory, AllProtocols]
    public async Task A_tilde_path_resolves_against_the_home_folder(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("tilde");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxItem home = await client.Files.GetItemAsync("~");
        SandboxItem inside = await client.Files.GetItemAsync("~/" + Path.GetFileName(folder));

        Assert.Equal(agent.Home, home.Path);
        Assert.Equal(folder, inside.Path);
        Assert.Equal(SandboxItemType.Directory, inside.Type);
    }
}
