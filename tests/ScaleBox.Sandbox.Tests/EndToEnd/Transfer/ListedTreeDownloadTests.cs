using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// A tree downloaded from a directory and a listing the caller asked for itself (alongside the
/// directory's lookup): nothing is asked again before the files, and the listing is as hostile as
/// the copy's own would be.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ListedTreeDownloadTests(LocalAgentFixture agent) : IDisposable
{
    readonly TransferFiles _files = new();

    [Theory]
    [InlineData(SandboxProtocol.GrpcWeb)]
    [InlineData(SandboxProtocol.Connect)]
    public async Task A_looked_up_tree_is_copied_from_its_listing_with_only_its_files_asked_for(SandboxProtocol protocol)
    {
        string remote = agent.NewFolder("listed-tree");
        await File.WriteAllTextAsync(Path.Combine(remote, "top.txt"), "top");
        Directory.CreateDirectory(Path.Combine(remote, "sub"));
        await File.WriteAllTextAsync(Path.Combine(remote, "sub", "inner.txt"), "inner");
        string back = Path.Combine(_files.NewFolder("listed-back"), "tree");
        // One log from before the client connects: it knows a connection's requests from its start.
        using var log = new ServedRequestLog(agent.HttpAddress.Port);
        using SandboxClient client = agent.CreateClient(protocol);
        SandboxItem directory = await client.Files.GetItemAsync(remote);
        IReadOnlyList<SandboxItem> listing = await client.Files.GetChildItemsAsync(remote, SandboxFileSystem.RecursiveDepth);
        int before = log.Requests.Count;

        List<SandboxTransferOutcome> outcomes = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(directory, listing, back, new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Never }));

        Assert.All(outcomes, outcome => Assert.Equal(SandboxTransferStatus.Copied, outcome.Status));
        Assert.Equal(TransferFiles.TreeHashes(remote), TransferFiles.TreeHashes(back));
        var during = log.Requests.Skip(before).ToList();
        Assert.All(during, request => Assert.StartsWith("/download/", request.Path));
        Assert.Equal(2, during.Count);
    }

    [Fact]
    public async Task An_entry_of_the_listing_outside_the_directory_is_skipped_and_nothing_is_written_outside()
    {
        string remote = agent.NewFolder("listed-hostile");
        await File.WriteAllTextAsync(Path.Combine(remote, "fine.txt"), "fine");
        string outside = Path.Combine(Path.GetDirectoryName(remote)!, "outside.txt");
        await File.WriteAllTextAsync(outside, "outside");
        string local = _files.NewFolder("listed-hostile-back");
        string back = Path.Combine(local, "tree");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        SandboxItem directory = await client.Files.GetItemAsync(remote);
        var listing = new List<SandboxItem>(await client.Files.GetChildItemsAsync(remote, SandboxFileSystem.RecursiveDepth))
        {
            new SandboxItem { Name = "outside.txt", Path = outside, Type = SandboxItemType.File, Length = 7 },
            new SandboxItem { Name = "..", Path = remote + "/../outside.txt", Type = SandboxItemType.File, Length = 7 },
        };

        List<SandboxTransferOutcome> outcomes = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(directory, listing, back, new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Never }));

        Assert.Equal(2, outcomes.Count(outcome => outcome is { Status: SandboxTransferStatus.Skipped, ReasonCode: SandboxTransferReason.UnsafePath }));
        Assert.Equal(["fine.txt"], Directory.GetFiles(back).Select(Path.GetFileName));
        Assert.Equal(["tree"], Directory.GetFileSystemEntries(local).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_file_is_refused_as_the_directory_of_a_listed_download()
    {
        string remote = agent.NewFolder("listed-file");
        string file = Path.Combine(remote, "file.txt");
        await File.WriteAllTextAsync(file, "file");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        SandboxItem item = await client.Files.GetItemAsync(file);

        Assert.Throws<ArgumentException>(() => client.Transfer.DownloadDirectoryAsync(item, Array.Empty<SandboxItem>(), _files.NewFolder("listed-file-back")));
    }

    public void Dispose() => _files.Dispose();
}
