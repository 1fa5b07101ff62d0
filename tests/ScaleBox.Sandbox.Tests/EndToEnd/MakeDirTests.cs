using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

[Collection(LocalAgentCollection.Name)]
public sealed class MakeDirTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task Creates_the_directory_and_its_missing_parents(SandboxProtocol protocol)
    {
        string path = Path.Combine(agent.NewFolder("mkdir"), "a", "b", "c");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxItem created = await client.Files.CreateDirectoryAsync(path);

        Assert.True(Directory.Exists(path));
        Assert.Equal(path, created.Path);
        Assert.Equal("c", created.Name);
        Assert.Equal(SandboxItemType.Directory, created.Type);
    }

    [Theory, AllProtocols]
    public async Task An_existing_directory_is_AlreadyExists(SandboxProtocol protocol)
    {
        string path = agent.NewFolder("mkdir-existing");
        string marker = Path.Combine(path, "keep.txt");
        await File.WriteAllTextAsync(marker, "still here");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.CreateDirectoryAsync(path));

        Assert.Equal(SandboxErrorCode.AlreadyExists, error.Code);
        Assert.Equal(path, error.Target);
        Assert.Equal("still here", await File.ReadAllTextAsync(marker)); // nothing was lost
    }
}
