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
    public async Task A_missing_source_is_NotFound_in_the_real_agent_words(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("move-missing");
        string source = Path.Combine(folder, "ghost.txt");
        string destination = Path.Combine(folder, "out", "ghost.txt");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.MoveAsync(source, destination));

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Equal(source, error.Target);
        Assert.Equal($"source file not found: rename {source} {destination}: no such file or directory", error.ServerMessage);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task Nothing_replaces_a_directory_as_Go_os_Rename_refuses_it()
    {
        // Go's os.Rename checks the new name first: a directory there is EEXIST, even an empty one,
        // unless the old name is itself missing.
        string folder = agent.NewFolder("move-onto");
        string source = Path.Combine(folder, "new");
        Directory.CreateDirectory(source);
        string file = Path.Combine(folder, "file.txt");
        await File.WriteAllTextAsync(file, "f");
        string empty = Directory.CreateDirectory(Path.Combine(folder, "empty")).FullName;
        string missing = Path.Combine(folder, "missing");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        SandboxException directoryOnto = await Assert.ThrowsAsync<SandboxException>(() => client.Files.MoveAsync(source, empty));
        SandboxException fileOnto = await Assert.ThrowsAsync<SandboxException>(() => client.Files.MoveAsync(file, empty));
        SandboxException missingOnto = await Assert.ThrowsAsync<SandboxException>(() => client.Files.MoveAsync(missing, empty));

        Assert.Equal(SandboxErrorCode.Internal, directoryOnto.Code);
        Assert.Equal($"error renaming: rename {source} {empty}: file exists", directoryOnto.ServerMessage);
        Assert.Equal($"error renaming: rename {file} {empty}: file exists", fileOnto.ServerMessage);
        Assert.Equal(SandboxErrorCode.NotFound, missingOnto.Code);
        Assert.Equal($"source file not found: rename {missing} {empty}: no such file or directory", missingOnto.ServerMessage);
        Assert.True(Directory.Exists(source));
        Assert.Equal("f", await File.ReadAllTextAsync(file));
        Assert.Empty(Directory.GetFileSystemEntries(empty));
    }
}
