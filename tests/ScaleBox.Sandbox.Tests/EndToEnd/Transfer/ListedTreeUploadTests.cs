using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// A tree merged into a sandbox directory the caller looked up and listed itself (alongside its
/// other lookups): the copy asks nothing more before writing, and the files the listing shows are
/// the ones Overwrite guards.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ListedTreeUploadTests(LocalAgentFixture agent) : IDisposable
{
    readonly TransferFiles _files = new();

    [Theory]
    [InlineData(SandboxProtocol.GrpcWeb)]
    [InlineData(SandboxProtocol.Connect)]
    public async Task A_tree_is_merged_from_the_listing_given_and_a_file_it_shows_is_kept_without_overwrite(SandboxProtocol protocol)
    {
        string local = _files.NewFolder("listed-up");
        await File.WriteAllTextAsync(Path.Combine(local, "new.txt"), "new");
        await File.WriteAllTextAsync(Path.Combine(local, "kept.txt"), "local");
        string remote = agent.NewFolder("listed-up-into");
        await File.WriteAllTextAsync(Path.Combine(remote, "kept.txt"), "remote");
        // One log from before the client connects: it knows a connection's requests from its start.
        using var log = new ServedRequestLog(agent.HttpAddress.Port);
        using SandboxClient client = agent.CreateClient(protocol);
        SandboxItem directory = await client.Files.GetItemAsync(remote);
        IReadOnlyList<SandboxItem> listing = await client.Files.GetChildItemsAsync(remote, SandboxFileSystem.RecursiveDepth);
        int before = log.Requests.Count;

        List<SandboxTransferOutcome> outcomes = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, directory, listing, new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Never }));

        Assert.Equal(SandboxTransferStatus.Copied, outcomes.Single(outcome => outcome.RelativePath == "new.txt").Status);
        Assert.Equal(SandboxTransferReason.AlreadyExists, outcomes.Single(outcome => outcome.RelativePath == "kept.txt").ReasonCode);
        Assert.Equal("new", await File.ReadAllTextAsync(Path.Combine(remote, "new.txt")));
        Assert.Equal("remote", await File.ReadAllTextAsync(Path.Combine(remote, "kept.txt")));
        Assert.Equal(["/sandboxagent.Filesystem/Move", "/upload"], log.Requests.Skip(before).Select(request => request.Path).Order());
    }

    [Fact]
    public async Task A_file_is_refused_as_the_directory_to_merge_into()
    {
        string file = Path.Combine(agent.NewFolder("listed-up-file"), "file.txt");
        await File.WriteAllTextAsync(file, "file");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        SandboxItem item = await client.Files.GetItemAsync(file);

        Assert.Throws<ArgumentException>(() => client.Transfer.UploadDirectoryAsync(_files.NewFolder("listed-up-src"), item, Array.Empty<SandboxItem>()));
    }

    public void Dispose() => _files.Dispose();
}
