using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

[Collection(LocalAgentCollection.Name)]
public sealed class RemoveTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task Removes_a_directory_tree(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("remove-tree");
        string tree = Path.Combine(folder, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "x", "y"));
        await File.WriteAllTextAsync(Path.Combine(tree, "x", "y", "leaf.txt"), "leaf");
        await File.WriteAllTextAsync(Path.Combine(folder, "sibling.txt"), "stays");
        using SandboxClient client = agent.CreateClient(protocol);

        await client.Files.RemoveAsync(tree);

        Assert.False(Directory.Exists(tree));
        Assert.True(File.Exists(Path.Combine(folder, "sibling.txt")));
    }

    [Theory, AllProtocols]
    public async Task Removes_a_symlink_but_not_what_it_points_to(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("remove-link");
        string target = Path.Combine(folder, "precious");
        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, "data.txt"), "keep");
        string link = Path.Combine(folder, "link");
        Directory.CreateSymbolicLink(link, target);
        using SandboxClient client = agent.CreateClient(protocol);

        await client.Files.RemoveAsync(link);

        Assert.Null(new FileInfo(link).LinkTarget); // the link is gone...
        Assert.False(Path.Exists(link));
        Assert.Equal("keep", await File.ReadAllTextAsync(Path.Combine(target, "data.txt"))); // ...its target is not
    }

    [Theory, AllProtocols]
    public async Task Removing_a_missing_path_succeeds(SandboxProtocol protocol)
    {
        string missing = Path.Combine(agent.NewFolder("remove-missing"), "never-existed");
        using SandboxClient client = agent.CreateClient(protocol);

        await client.Files.RemoveAsync(missing);

        Assert.False(Path.Exists(missing));
    }
}
