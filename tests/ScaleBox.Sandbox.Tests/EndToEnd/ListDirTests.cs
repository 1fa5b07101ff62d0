using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

/// <summary>ListDir: depth semantics, entry paths, and the errors for a missing path or a file.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ListDirTests(LocalAgentFixture agent)
{
    /// <summary>root/{a.txt, sub/{b.txt, deeper/{c.txt}}}</summary>
    string MakeTree(string purpose)
    {
        string root = agent.NewFolder(purpose);
        Directory.CreateDirectory(Path.Combine(root, "sub", "deeper"));
        File.WriteAllText(Path.Combine(root, "a.txt"), "a");
        File.WriteAllText(Path.Combine(root, "sub", "b.txt"), "b");
        File.WriteAllText(Path.Combine(root, "sub", "deeper", "c.txt"), "c");
        return root;
    }

    static string[] Relative(IEnumerable<SandboxItem> items, string root) =>
        items.Select(i => Path.GetRelativePath(root, i.Path)).Order(StringComparer.Ordinal).ToArray();

    [Theory, AllProtocols]
    public async Task Depth_1_lists_the_children_only(SandboxProtocol protocol)
    {
        string root = MakeTree("list-depth1");
        using SandboxClient client = agent.CreateClient(protocol);

        IReadOnlyList<SandboxItem> items = await client.Files.GetChildItemsAsync(root, depth: 1);

        Assert.Equal(["a.txt", "sub"], Relative(items, root));
        Assert.Equal(SandboxItemType.File, items.Single(i => i.Name == "a.txt").Type);
        Assert.Equal(SandboxItemType.Directory, items.Single(i => i.Name == "sub").Type);
    }

    [Theory, AllProtocols]
    public async Task Depth_0_is_the_same_as_depth_1(SandboxProtocol protocol)
    {
        string root = MakeTree("list-depth0");
        using SandboxClient client = agent.CreateClient(protocol);

        IReadOnlyList<SandboxItem> zero = await client.Files.GetChildItemsAsync(root, depth: 0);
        IReadOnlyList<SandboxItem> one = await client.Files.GetChildItemsAsync(root, depth: 1);

        Assert.NotEmpty(zero);
        Assert.Equal(one.Select(i => i.Path), zero.Select(i => i.Path));
    }

    [Theory, AllProtocols]
    public async Task Depth_2_adds_the_grandchildren_and_no_further(SandboxProtocol protocol)
    {
        string root = MakeTree("list-depth2");
        using SandboxClient client = agent.CreateClient(protocol);

        IReadOnlyList<SandboxItem> items = await client.Files.GetChildItemsAsync(root, depth: 2);

        Assert.Equal(["a.txt", "sub", "sub/b.txt", "sub/deeper"], Relative(items, root));
    }

    [Theory, AllProtocols]
    public async Task The_recursive_depth_lists_everything_below(SandboxProtocol protocol)
    {
        string root = MakeTree("list-recursive");
        using SandboxClient client = agent.CreateClient(protocol);

        IReadOnlyList<SandboxItem> items = await client.Files.GetChildItemsAsync(root, SandboxFileSystem.RecursiveDepth);

        Assert.Equal(["a.txt", "sub", "sub/b.txt", "sub/deeper", "sub/deeper/c.txt"], Relative(items, root));
    }

    [Theory, AllProtocols]
    public async Task Entry_paths_keep_the_requested_prefix_even_through_a_symlink(SandboxProtocol protocol)
    {
        string root = MakeTree("list-via-link");
        string link = Path.Combine(agent.NewFolder("list-link-holder"), "tree-link");
        Directory.CreateSymbolicLink(link, root);
        using SandboxClient client = agent.CreateClient(protocol);

        IReadOnlyList<SandboxItem> items = await client.Files.GetChildItemsAsync(link, depth: 2);

        // The caller asked about the link's path; resolving it to the target would hand back
        // paths the caller never used and cannot match against its own.
        Assert.Equal(4, items.Count);
        Assert.All(items, i => Assert.StartsWith(link + "/", i.Path, StringComparison.Ordinal));
        Assert.Contains(items, i => i.Path == link + "/sub/b.txt");
    }

    [Theory, AllProtocols]
    public async Task A_missing_path_is_NotFound_with_the_path_as_target(SandboxProtocol protocol)
    {
        string missing = Path.Combine(agent.NewFolder("list-missing"), "nothing-here");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetChildItemsAsync(missing));

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Equal(missing, error.Target);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Equal($"path not found: {missing}", error.ServerMessage);
    }

    [Theory, AllProtocols]
    public async Task A_file_is_not_a_directory_to_list(SandboxProtocol protocol)
    {
        string file = Path.Combine(agent.NewFolder("list-file"), "plain.txt");
        await File.WriteAllTextAsync(file, "x");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetChildItemsAsync(file));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
        Assert.Equal(file, error.Target);
    }
}
