using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>Recursive copies both ways, with overwrite rules and symbolic links that lead out of the tree.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class DirectoryTransferTests(LocalAgentFixture agent) : IDisposable
{
    readonly TransferFiles _files = new();

    /// <summary>A local tree with nested folders, an empty folder, an empty file and awkward names.</summary>
    string MakeLocalTree()
    {
        string root = _files.NewFolder("tree");
        Directory.CreateDirectory(Path.Combine(root, "a", "b", "c"));
        Directory.CreateDirectory(Path.Combine(root, "empty dir"));
        Directory.CreateDirectory(Path.Combine(root, "ü #%?"));
        TransferFiles.WriteRandom(Path.Combine(root, "top.bin"), 300_000, 1);
        TransferFiles.WriteRandom(Path.Combine(root, "a", "one.bin"), 1, 2);
        TransferFiles.WriteRandom(Path.Combine(root, "a", "b", "two.bin"), 2 * 1024 * 1024 + 3, 3);
        TransferFiles.WriteRandom(Path.Combine(root, "a", "b", "c", "three.bin"), 4096, 4);
        TransferFiles.WriteRandom(Path.Combine(root, "ü #%?", "name #1 ?.txt"), 10, 5);
        File.WriteAllBytes(Path.Combine(root, "a", "empty.txt"), []);
        return root;
    }

    static Dictionary<string, string> Hashes(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), TransferFiles.Sha256);

    static string[] Folders(string root) =>
        Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Select(d => Path.GetRelativePath(root, d)).Order(StringComparer.Ordinal).ToArray();

    [Theory, AllProtocols]
    public async Task A_tree_goes_up_and_comes_back_with_every_hash_equal(SandboxProtocol protocol)
    {
        string local = MakeLocalTree();
        string remote = Path.Combine(agent.NewFolder("tree-up"), "copy");
        string back = Path.Combine(_files.NewFolder("back"), "tree");
        using SandboxClient client = agent.CreateClient(protocol);
        var upProgress = new RecordingProgress<SandboxTransferProgress>();
        var downProgress = new RecordingProgress<SandboxTransferProgress>();

        var hashed = new SandboxTreeCopyOptions
        {
            Upload = new SandboxUploadOptions { ComputeSha256 = true },
            Download = new SandboxDownloadOptions { ComputeSha256 = true },
        };

        List<SandboxTransferOutcome> up = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote, hashed, upProgress));
        List<SandboxTransferOutcome> down = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, back, hashed, downProgress));

        Assert.All(up, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Assert.All(down, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Assert.Equal(Hashes(local), Hashes(remote));
        Assert.Equal(Hashes(local), Hashes(back));
        Assert.Equal(Folders(local), Folders(back));
        Assert.Equal(6, up.Count(o => o.Kind == SandboxItemType.File));
        Assert.Equal(6, down.Count(o => o.Kind == SandboxItemType.File));

        long total = Hashes(local).Keys.Sum(k => new FileInfo(Path.Combine(local, k)).Length);
        foreach (var reports in new[] { upProgress.Values, downProgress.Values })
        {
            SandboxTransferProgress last = reports[^1];
            Assert.Equal(total, last.TotalBytes);
            Assert.Equal(total, last.BytesTransferred);
            Assert.Equal(6, last.FilesCompleted);
            Assert.Equal(6, last.TotalFiles);
            Assert.Equal(100, last.PercentComplete);
        }
        SandboxTransferOutcome two = down.Single(o => o.RelativePath == "a/b/two.bin");
        Assert.Equal(Path.Combine(back, "a", "b", "two.bin"), two.Destination);
        Assert.Equal(2 * 1024 * 1024 + 3, two.Bytes);
        Assert.Equal(TransferFiles.Sha256(Path.Combine(local, "a", "b", "two.bin")), two.Sha256);
        Assert.All(up.Where(o => o.Kind == SandboxItemType.File), o => Assert.Equal(TransferFiles.Sha256(o.Source), o.Sha256));
    }

    [Fact]
    public async Task Existing_files_are_refused_without_overwrite_both_ways_and_replaced_with_it()
    {
        string local = MakeLocalTree();
        string remote = Path.Combine(agent.NewFolder("tree-overwrite"), "copy");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote));
        await File.WriteAllTextAsync(Path.Combine(remote, "a", "one.bin"), "changed in the sandbox");

        List<SandboxTransferOutcome> again = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote));

        Assert.All(again.Where(o => o.Kind == SandboxItemType.File), o =>
        {
            Assert.Equal(SandboxTransferStatus.Failed, o.Status);
            Assert.Equal(SandboxTransferReason.AlreadyExists, o.ReasonCode);
            Assert.Equal(SandboxErrorCode.AlreadyExists, Assert.IsType<SandboxException>(o.Exception).Code);
        });
        Assert.All(again.Where(o => o.Kind == SandboxItemType.Directory), o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Assert.Equal("changed in the sandbox", await File.ReadAllTextAsync(Path.Combine(remote, "a", "one.bin")));

        // Downloading into the original tree: every file exists locally.
        List<SandboxTransferOutcome> down = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, local));
        Assert.All(down.Where(o => o.Kind == SandboxItemType.File), o => Assert.Equal(SandboxTransferReason.AlreadyExists, o.ReasonCode));
        Assert.Equal(TransferFiles.Sha256(Path.Combine(local, "top.bin")), TransferFiles.Sha256(Path.Combine(remote, "top.bin")));

        var overwrite = new SandboxTreeCopyOptions { Overwrite = true };
        List<SandboxTransferOutcome> forced = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, local, overwrite));
        Assert.All(forced, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Assert.Equal("changed in the sandbox", await File.ReadAllTextAsync(Path.Combine(local, "a", "one.bin")));
        Assert.Empty(TransferFiles.StagingFiles(local));

        List<SandboxTransferOutcome> forcedUp = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote, overwrite));
        Assert.All(forcedUp, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
    }

    [Fact]
    public async Task A_remote_symlink_pointing_outside_the_tree_is_skipped_and_reported()
    {
        string holder = agent.NewFolder("tree-links");
        string tree = Directory.CreateDirectory(Path.Combine(holder, "tree")).FullName;
        string secret = Path.Combine(holder, "secret.txt");
        await File.WriteAllTextAsync(secret, "outside the tree");
        string outsideDir = Directory.CreateDirectory(Path.Combine(holder, "outside-dir")).FullName;
        await File.WriteAllTextAsync(Path.Combine(outsideDir, "deep.txt"), "outside too");
        await File.WriteAllTextAsync(Path.Combine(tree, "real.txt"), "inside");
        File.CreateSymbolicLink(Path.Combine(tree, "to-secret"), secret);                 // absolute, out
        File.CreateSymbolicLink(Path.Combine(tree, "to-secret-relative"), "../secret.txt"); // relative, out
        Directory.CreateSymbolicLink(Path.Combine(tree, "to-outside-dir"), outsideDir);    // directory link
        File.CreateSymbolicLink(Path.Combine(tree, "to-real"), "real.txt");                // inside: copied
        string local = Path.Combine(_files.NewFolder("links"), "tree");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        var progress = new RecordingProgress<SandboxTransferProgress>();

        List<SandboxTransferOutcome> outcomes = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(tree, local, progress: progress));

        // The link copied counts as its target's six bytes, not as the eight of the name it holds.
        Assert.Equal(12, progress.Values[^1].TotalBytes);
        Assert.Equal(12, progress.Values[^1].BytesTransferred);
        foreach (string name in new[] { "to-secret", "to-secret-relative", "to-outside-dir" })
        {
            SandboxTransferOutcome skipped = outcomes.Single(o => o.RelativePath == name);
            Assert.Equal(SandboxTransferStatus.Skipped, skipped.Status);
            Assert.Equal(SandboxTransferReason.SymbolicLink, skipped.ReasonCode);
            Assert.Contains("symbolic link", skipped.Reason, StringComparison.Ordinal);
            Assert.False(Path.Exists(Path.Combine(local, name)));
        }
        Assert.Equal(SandboxTransferStatus.Copied, outcomes.Single(o => o.RelativePath == "to-real").Status);
        Assert.Equal("inside", await File.ReadAllTextAsync(Path.Combine(local, "to-real")));
        Assert.Equal("inside", await File.ReadAllTextAsync(Path.Combine(local, "real.txt")));
        Assert.Equal(["real.txt", "to-real"], Directory.GetFileSystemEntries(local).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Directory.GetFiles(_files.Root, "*", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains("outside"));
    }

    [Fact]
    public async Task Local_symlinks_out_of_the_tree_are_not_uploaded()
    {
        string local = _files.NewFolder("local-links");
        string outside = _files.NewFolder("local-outside");
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "local secret");
        await File.WriteAllTextAsync(Path.Combine(local, "real.txt"), "real");
        File.CreateSymbolicLink(Path.Combine(local, "to-secret"), Path.Combine(outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(local, "to-outside"), outside);
        File.CreateSymbolicLink(Path.Combine(local, "to-real"), Path.Combine(local, "real.txt"));
        string remote = Path.Combine(agent.NewFolder("up-links"), "copy");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        List<SandboxTransferOutcome> outcomes = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote));

        Assert.Equal(SandboxTransferReason.SymbolicLink, outcomes.Single(o => o.RelativePath == "to-secret").ReasonCode);
        Assert.Equal(SandboxTransferReason.SymbolicLink, outcomes.Single(o => o.RelativePath == "to-outside").ReasonCode);
        Assert.Equal(SandboxTransferStatus.Copied, outcomes.Single(o => o.RelativePath == "to-real").Status);
        Assert.Equal(["real.txt", "to-real"], Directory.GetFileSystemEntries(remote).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_local_symlink_inside_the_destination_is_not_written_through()
    {
        string remote = agent.NewFolder("dl-through-link");
        Directory.CreateDirectory(Path.Combine(remote, "sub"));
        await File.WriteAllTextAsync(Path.Combine(remote, "sub", "f.txt"), "payload");
        string local = _files.NewFolder("dest");
        string elsewhere = _files.NewFolder("elsewhere");
        Directory.CreateSymbolicLink(Path.Combine(local, "sub"), elsewhere); // planted before the copy
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        List<SandboxTransferOutcome> outcomes = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, local));

        Assert.Equal(SandboxTransferStatus.Failed, outcomes.Single(o => o.RelativePath == "sub").Status);
        Assert.Equal(SandboxTransferStatus.Failed, outcomes.Single(o => o.RelativePath == "sub/f.txt").Status);
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
    }

    [Fact]
    public async Task A_missing_remote_directory_ends_the_copy_with_NotFound()
    {
        string missing = Path.Combine(agent.NewFolder("dl-missing-dir"), "nope");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(
            () => TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(missing, _files.PathOf("x"))));

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.False(Directory.Exists(_files.PathOf("x")));
    }

    [Fact]
    public void A_missing_local_directory_is_refused_at_once()
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        Assert.Throws<DirectoryNotFoundException>(() => client.Transfer.UploadDirectoryAsync(_files.PathOf("nope"), "/tmp/x"));
    }

    [Fact]
    public async Task A_relative_remote_directory_is_resolved_by_the_agent_and_still_copied()
    {
        string folder = agent.NewFolder("dl-relative");
        await File.WriteAllTextAsync(Path.Combine(folder, "r.txt"), "relative");
        string relative = Path.GetRelativePath(agent.Home, folder);
        string local = _files.NewFolder("relative");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        List<SandboxTransferOutcome> outcomes = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(relative, local));

        Assert.Equal(SandboxTransferStatus.Copied, Assert.Single(outcomes).Status);
        Assert.Equal("relative", await File.ReadAllTextAsync(Path.Combine(local, "r.txt")));
    }

    public void Dispose() => _files.Dispose();
}
