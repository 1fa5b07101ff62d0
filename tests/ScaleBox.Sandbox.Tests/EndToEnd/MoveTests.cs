using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

[Collection(LocalAgentCollection.Name)]
public sealed class MoveTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task Renames_a_file_into_new_parent_directories(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("move-file");
        string source = Path.Combine(folder, "draft.txt");
        string destination = Path.Combine(folder, "archive", "2024", "final.txt");
        await File.WriteAllTextAsync(source, "content");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxItem moved = await client.Files.MoveAsync(source, destination);

        Assert.False(File.Exists(source));
        Assert.Equal("content", await File.ReadAllTextAsync(destination));
        Assert.Equal(destination, moved.Path);
        Assert.Equal("final.txt", moved.Name);
        Assert.Equal(SandboxItemType.File, moved.Type);
    }

    [Theory, AllProtocols]
    public async Task Moves_a_directory_with_its_contents(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("move-dir");
        string source = Path.Combine(folder, "project");
        Directory.CreateDirectory(Path.Combine(source, "src"));
        await File.WriteAllTextAsync(Path.Combine(source, "src", "main.c"), "int main;");
        string destination = Path.Combine(folder, "renamed");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxItem moved = await client.Files.MoveAsync(source, destination);

        Assert.False(Directory.Exists(source));
        Assert.Equal("int main;", await File.ReadAllTextAsync(Path.Combine(destination, "src", "main.c")));
        Assert.Equal(SandboxItemType.Directory, moved.Type);
    }

    [Theory, AllProtocols]
    public async Task A_missing_source_is_NotFound_and_creates_nothing(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("move-missing");
        string source = Path.Combine(folder, "ghost.txt");
        string destination = Path.Combine(folder, "out", "ghost.txt");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.MoveAsync(source, destination));

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Equal(source, error.Target);
        Assert.False(Directory.Exists(Path.Combine(folder, "out")));
    }
}
