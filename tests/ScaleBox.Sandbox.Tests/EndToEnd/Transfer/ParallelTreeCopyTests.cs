using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// Tree copies planned once and run with several files in flight: many small files with awkward
/// names, merges into an existing tree, and a cancellation mid-tree that leaves only complete files.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ParallelTreeCopyTests(LocalAgentFixture agent) : IDisposable
{
    readonly TransferFiles _files = new();

    string MakeTree(int fileCount, int largest = 1024 * 1024) => _files.NewAwkwardTree("many", fileCount, largest);

    [Theory, BothProtocols]
    public async Task Many_files_in_awkward_folders_go_up_and_down_in_parallel_with_every_hash_equal(SandboxProtocol protocol)
    {
        string local = MakeTree(120);
        string remote = Path.Combine(agent.NewFolder("many-up"), "copy");
        string back = Path.Combine(_files.NewFolder("many-back"), "tree");
        using SandboxClient client = agent.CreateClient(protocol);
        var options = new SandboxTreeCopyOptions { MaxParallelFiles = 8, Upload = new SandboxUploadOptions { ComputeSha256 = true } };
        var upProgress = new RecordingProgress<SandboxTransferProgress>();
        var downProgress = new RecordingProgress<SandboxTransferProgress>();

        List<SandboxTransferOutcome> up = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote, options, upProgress));
        List<SandboxTransferOutcome> down = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, back, options, downProgress));

        Assert.All(up, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Assert.All(down, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Dictionary<string, string> source = TransferFiles.TreeHashes(local);
        Assert.Equal(120, source.Count);
        Assert.Equal(source, TransferFiles.TreeHashes(remote));
        Assert.Equal(source, TransferFiles.TreeHashes(back));
        Assert.Equal(TransferFiles.TreeFolders(local), TransferFiles.TreeFolders(remote));
        Assert.Equal(TransferFiles.TreeFolders(local), TransferFiles.TreeFolders(back));
        // One outcome per item, each once.
        Assert.Equal(source.Keys.Order(StringComparer.Ordinal), up.Where(o => o.Kind == SandboxItemType.File).Select(o => o.RelativePath).Order(StringComparer.Ordinal));
        Assert.Equal(source.Keys.Order(StringComparer.Ordinal), down.Where(o => o.Kind == SandboxItemType.File).Select(o => o.RelativePath).Order(StringComparer.Ordinal));
        Assert.All(up.Where(o => o.Kind == SandboxItemType.File), o => Assert.Equal(TransferFiles.Sha256(o.Source), o.Sha256));
        Assert.Empty(TransferFiles.StagingEntries(remote));
        Assert.Empty(TransferFiles.StagingEntries(back));

        long total = source.Keys.Sum(k => new FileInfo(Path.Combine(local, k)).Length);
        foreach (var reports in new[] { upProgress.Values, downProgress.Values })
        {
            SandboxTransferProgress last = reports[^1];
            Assert.Equal(total, last.BytesTransferred);
            Assert.Equal(total, last.TotalBytes);
            Assert.Equal(120, last.FilesCompleted);
            Assert.All(reports, r => Assert.InRange(r.BytesTransferred, 0, total));
        }
    }

    [Fact]
    public async Task One_file_at_a_time_gives_the_same_tree()
    {
        string local = MakeTree(15, largest: 64 * 1024);
        string remote = Path.Combine(agent.NewFolder("one-at-a-time"), "copy");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        List<SandboxTransferOutcome> up = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote, new SandboxTreeCopyOptions { MaxParallelFiles = 1 }));

        Assert.All(up, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Assert.Equal(TransferFiles.TreeHashes(local), TransferFiles.TreeHashes(remote));
        Assert.Equal(TransferFiles.TreeFolders(local), TransferFiles.TreeFolders(remote));
    }

    [Fact]
    public async Task Merging_into_an_existing_tree_keeps_what_is_there_without_overwrite_and_replaces_it_with()
    {
        string local = _files.NewFolder("merge");
        Directory.CreateDirectory(Path.Combine(local, "kept dir"));
        Directory.CreateDirectory(Path.Combine(local, "was a file"));
        await File.WriteAllTextAsync(Path.Combine(local, "kept dir", "same #.txt"), "from the local side");
        await File.WriteAllTextAsync(Path.Combine(local, "kept dir", "new %.txt"), "new file");
        await File.WriteAllTextAsync(Path.Combine(local, "was a file", "inner.txt"), "inner");
        await File.WriteAllTextAsync(Path.Combine(local, "was a dir"), "a file locally");

        string remote = agent.NewFolder("merge-into");
        Directory.CreateDirectory(Path.Combine(remote, "kept dir"));
        await File.WriteAllTextAsync(Path.Combine(remote, "kept dir", "same #.txt"), "already in the sandbox");
        await File.WriteAllTextAsync(Path.Combine(remote, "kept dir", "only remote.txt"), "untouched");
        await File.WriteAllTextAsync(Path.Combine(remote, "was a file"), "a file in the sandbox");
        Directory.CreateDirectory(Path.Combine(remote, "was a dir"));
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        List<SandboxTransferOutcome> merged = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote));

        SandboxTransferOutcome Of(List<SandboxTransferOutcome> outcomes, string relative) => outcomes.Single(o => o.RelativePath == relative);
        Assert.Equal(SandboxTransferStatus.Copied, Of(merged, "kept dir").Status);
        Assert.Equal(SandboxTransferReason.AlreadyExists, Of(merged, "kept dir/same #.txt").ReasonCode);
        Assert.Equal(SandboxTransferStatus.Copied, Of(merged, "kept dir/new %.txt").Status);
        SandboxTransferOutcome fileInTheWay = Of(merged, "was a file");
        Assert.Equal(SandboxTransferStatus.Failed, fileInTheWay.Status);
        Assert.Equal(SandboxErrorCode.InvalidArgument, Assert.IsType<SandboxException>(fileInTheWay.Exception).Code);
        Assert.Equal(SandboxTransferStatus.Failed, Of(merged, "was a file/inner.txt").Status);
        SandboxTransferOutcome directoryInTheWay = Of(merged, "was a dir");
        Assert.Equal(SandboxTransferStatus.Failed, directoryInTheWay.Status);
        Assert.Equal(SandboxErrorCode.InvalidArgument, Assert.IsType<SandboxException>(directoryInTheWay.Exception).Code);
        Assert.Equal("already in the sandbox", await File.ReadAllTextAsync(Path.Combine(remote, "kept dir", "same #.txt")));
        Assert.Equal("new file", await File.ReadAllTextAsync(Path.Combine(remote, "kept dir", "new %.txt")));
        Assert.Equal("untouched", await File.ReadAllTextAsync(Path.Combine(remote, "kept dir", "only remote.txt")));
        Assert.Equal("a file in the sandbox", await File.ReadAllTextAsync(Path.Combine(remote, "was a file")));
        Assert.True(Directory.Exists(Path.Combine(remote, "was a dir")));

        List<SandboxTransferOutcome> forced = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote, new SandboxTreeCopyOptions { Overwrite = true }));

        Assert.Equal(SandboxTransferStatus.Copied, Of(forced, "kept dir/same #.txt").Status);
        Assert.Equal("from the local side", await File.ReadAllTextAsync(Path.Combine(remote, "kept dir", "same #.txt")));
        Assert.Equal("untouched", await File.ReadAllTextAsync(Path.Combine(remote, "kept dir", "only remote.txt")));
        // Overwriting replaces files, never a directory by a file or the reverse.
        Assert.Equal(SandboxTransferStatus.Failed, Of(forced, "was a file").Status);
        Assert.Equal(SandboxTransferStatus.Failed, Of(forced, "was a dir").Status);
        Assert.True(Directory.Exists(Path.Combine(remote, "was a dir")));
        Assert.Empty(TransferFiles.StagingEntries(remote));
    }

    [Fact]
    public async Task A_destination_that_is_a_file_ends_the_upload_before_anything_is_written()
    {
        string local = MakeTree(5, largest: 10);
        string remote = Path.Combine(agent.NewFolder("dest-file"), "target");
        await File.WriteAllTextAsync(remote, "a file");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote)));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
        Assert.Equal("a file", await File.ReadAllTextAsync(remote));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cancelling_mid_tree_leaves_only_complete_files(bool upload)
    {
        string source = _files.NewFolder("cancel-source");
        for (int i = 0; i < 60; i++)
        {
            string folder = Directory.CreateDirectory(Path.Combine(source, $"d {i % 4}")).FullName;
            TransferFiles.WriteRandom(Path.Combine(folder, $"f #{i}.bin"), 256 * 1024 + i, i + 1);
        }
        string remoteHolder = agent.NewFolder("cancel-tree");
        string from = source, to = Path.Combine(remoteHolder, "copy");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        if (!upload)
        {
            await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(source, to));
            from = to;
            to = Path.Combine(_files.NewFolder("cancel-dest"), "tree");
        }
        using var cancel = new CancellationTokenSource();
        // File by file: a packed copy reports its files only once the whole tree is in place (PackedTreeCopyTests covers its cancellation).
        var options = new SandboxTreeCopyOptions { MaxParallelFiles = 4, Packing = SandboxTreePacking.Never };
        int filesSeen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            IAsyncEnumerable<SandboxTransferOutcome> outcomes = upload
                ? client.Transfer.UploadDirectoryAsync(from, to, options, null, cancel.Token)
                : client.Transfer.DownloadDirectoryAsync(from, to, options, null, cancel.Token);
            await foreach (SandboxTransferOutcome outcome in outcomes)
            {
                if (outcome.Kind == SandboxItemType.File && ++filesSeen == 5)
                {
                    cancel.Cancel();
                }
            }
        });

        await TransferFiles.AssertNoStagingAsync(to);
        Dictionary<string, string> expected = TransferFiles.TreeHashes(source);
        Dictionary<string, string> written = TransferFiles.TreeHashes(to);
        Assert.NotEmpty(written);
        Assert.All(written, pair => Assert.Equal(expected[pair.Key], pair.Value));
    }

    public void Dispose() => _files.Dispose();
}
