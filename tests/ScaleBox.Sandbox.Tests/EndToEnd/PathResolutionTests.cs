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

    [Fact]
    public async Task The_home_is_known_without_asking_once_a_plain_relative_path_was_looked_up()
    {
        string folder = agent.NewFolder("known-home");
        string name = Path.GetFileName(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "x");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        Assert.True(client.Files.TryGetKnownFullPath("/tmp//x/./y", out string absolute));
        Assert.Equal("/tmp/x/y", absolute);
        Assert.False(client.Files.TryGetKnownFullPath(name + "/a.txt", out _));

        // Paths whose answer does not show the home plainly teach nothing.
        foreach (string unclear in new[] { "~/" + name, "./" + name, name + "/../" + name + "/a.txt", name + "//a.txt" })
        {
            await client.Files.GetItemAsync(unclear);
            Assert.False(client.Files.TryGetKnownFullPath(name, out _), unclear);
        }
        await client.Files.GetItemAsync(name + "/a.txt");

        Assert.True(client.Files.TryGetKnownFullPath(name + "/b.txt", out string known));
        Assert.Equal(Path.Combine(folder, "b.txt"), known);
        Assert.True(client.Files.TryGetKnownFullPath("x/../" + name, out string cleaned));
        Assert.Equal(folder, cleaned);
        Assert.False(client.Files.TryGetKnownFullPath("~/" + name, out _));
    }
}
