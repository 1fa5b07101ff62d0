using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

/// <summary>
/// ExistsAsync answers from the status code: NotFound is "no", success is "yes", and every other
/// failure is an error, never a silent "no" (a common bug in the official SDKs' exists).
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ExistsTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task Is_true_for_a_file_and_a_directory(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("exists");
        string file = Path.Combine(folder, "here.txt");
        await File.WriteAllTextAsync(file, "x");
        using SandboxClient client = agent.CreateClient(protocol);

        Assert.True(await client.Files.ExistsAsync(file));
        Assert.True(await client.Files.ExistsAsync(folder));
    }

    [Theory, AllProtocols]
    public async Task Is_false_for_a_missing_path(SandboxProtocol protocol)
    {
        string missing = Path.Combine(agent.NewFolder("exists-missing"), "not-here.txt");
        using SandboxClient client = agent.CreateClient(protocol);

        Assert.False(await client.Files.ExistsAsync(missing));
    }

    [Theory, AllProtocols]
    public async Task Throws_instead_of_answering_false_when_the_token_is_rejected(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol, accessToken: "not-the-token");

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.ExistsAsync(agent.Home));

        Assert.Equal(SandboxErrorCode.Unauthenticated, error.Code);
    }

    [Theory, AllProtocols]
    public async Task Throws_instead_of_answering_false_for_an_invalid_path(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);

        // The agent refuses a NUL in a path with invalid_argument: that says nothing about existence.
        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.ExistsAsync("bad\0name"));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
    }
    [Theory, AllProtocols]
    public async Task A_name_asked_for_in_a_folder_is_the_item_there_or_null(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("in-folder");
        string file = Path.Combine(folder, "here.txt");
        await File.WriteAllTextAsync(file, "x");
        using SandboxClient client = agent.CreateClient(protocol);

        Assert.Equal(file, (await client.Files.TryGetItemInFolderAsync(file))?.Path);
        Assert.Null(await client.Files.TryGetItemInFolderAsync(Path.Combine(folder, "not-here.txt")));
        Assert.Null(await client.Files.TryGetItemInFolderAsync(Path.Combine(folder, "no-folder", "not-here.txt")));
    }

    [Fact]
    public async Task A_name_asked_for_below_a_file_fails_with_the_agents_own_answer_where_a_plain_lookup_finds_nothing()
    {
        string file = Path.Combine(agent.NewFolder("in-folder-file"), "file.txt");
        await File.WriteAllTextAsync(file, "x");
        string below = Path.Combine(file, "name.txt");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        // The plain lookup looks at the parents, finds the file in the way, and so answers "nothing there".
        Assert.Null(await client.Files.TryGetItemAsync(below));
        // Asked for in what was taken for a folder, the one answer stands: the agent's "not a directory".
        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.TryGetItemInFolderAsync(below));
        Assert.Equal(SandboxErrorCode.Internal, error.Code);
        Assert.Equal(below, error.Target);
    }
}
