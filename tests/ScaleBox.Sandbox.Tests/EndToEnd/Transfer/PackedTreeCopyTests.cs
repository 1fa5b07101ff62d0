using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// Trees copied as one tar stream into a new destination: byte-exact with awkward names and
/// empty folders, links treated as the per-file copy treats them, an existing destination left
/// to the per-file copy (Auto) or refused (Always), and a stopped copy that leaves no
/// destination and no staging directory behind. The sandbox's tar is the real one.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class PackedTreeCopyTests(LocalAgentFixture agent) : IDisposable
{
    readonly TransferFiles _files = new();

    string MakeTree(int fileCount, int largest = 256 * 1024) => _files.NewAwkwardTree("packed", fileCount, largest, longNames: true);

    [Theory, BothProtocols]
    public async Task A_new_tree_goes_up_packed_byte_exact_with_every_item_reported(SandboxProtocol protocol)
    {
        string local = MakeTree(70);
        string holder = agent.NewFolder("packed-up");
        string remote = Path.Combine(holder, "new", "copy");
        using SandboxClient client = agent.CreateClient(protocol);
        var progress = new RecordingProgress<SandboxTransferProgress>();

        List<SandboxTransferOutcome> up = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote,
            new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Always }, progress));

        Dictionary<string, string> source = TransferFiles.TreeHashes(local);
        Assert.Equal(70, source.Count);
        Assert.Equal(source, TransferFiles.TreeHashes(remote));
        Assert.Equal(TransferFiles.TreeFolders(local), TransferFiles.TreeFolders(remote));
        Assert.All(up, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Assert.Equal(source.Keys.Order(StringComparer.Ordinal), up.Where(o => o.Kind == SandboxItemType.File).Select(o => o.RelativePath).Order(StringComparer.Ordinal));
        Assert.Equal(TransferFiles.TreeFolders(local), up.Where(o => o.Kind == SandboxItemType.Directory).Select(o => o.RelativePath).Order(StringComparer.Ordinal));
        Assert.All(up.Where(o => o.Kind == SandboxItemType.File), o =>
        {
            Assert.Equal(new FileInfo(o.Source).Length, o.Bytes);
            Assert.Equal(Path.Combine(remote, o.RelativePath), o.Destination);
        });
        long total = source.Keys.Sum(k => new FileInfo(Path.Combine(local, k)).Length);
        SandboxTransferProgress last = progress.Values[^1];
        Assert.Equal(total, last.BytesTransferred);
        Assert.Equal(total, last.TotalBytes);
        Assert.Equal(70, last.FilesCompleted);
        Assert.Empty(TransferFiles.StagingEntries(holder));
    }

    [Fact]
    public async Task Links_in_a_packed_upload_are_treated_as_the_per_file_copy_treats_them()
    {
        string local = _files.NewFolder("links");
        Directory.CreateDirectory(Path.Combine(local, "dir"));
        await File.WriteAllTextAsync(Path.Combine(local, "dir", "target.txt"), "inside");
        string outside = _files.NewFolder("outside");
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "outside");
        File.CreateSymbolicLink(Path.Combine(local, "to inside"), Path.Combine(local, "dir", "target.txt"));
        File.CreateSymbolicLink(Path.Combine(local, "to outside"), Path.Combine(outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(local, "dir link"), outside);
        string holder = agent.NewFolder("packed-links");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        var results = new Dictionary<SandboxTreePacking, List<SandboxTransferOutcome>>();
        foreach (SandboxTreePacking packing in new[] { SandboxTreePacking.Always, SandboxTreePacking.Never })
        {
            string remote = Path.Combine(holder, packing.ToString());
            results[packing] = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote, new SandboxTreeCopyOptions { Packing = packing }));
            Assert.Equal("inside", await File.ReadAllTextAsync(Path.Combine(remote, "to inside")));
            Assert.False(File.GetAttributes(Path.Combine(remote, "to inside")).HasFlag(FileAttributes.ReparsePoint));
            Assert.False(File.Exists(Path.Combine(remote, "to outside")));
            Assert.False(Directory.Exists(Path.Combine(remote, "dir link")));
        }

        static string[] Summary(List<SandboxTransferOutcome> outcomes) =>
            outcomes.Select(o => $"{o.RelativePath}|{o.Kind}|{o.Status}|{o.ReasonCode}|{o.Bytes}").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Summary(results[SandboxTreePacking.Never]), Summary(results[SandboxTreePacking.Always]));
        Assert.Equal(SandboxTransferReason.SymbolicLink, results[SandboxTreePacking.Always].Single(o => o.RelativePath == "to outside").ReasonCode);
        Assert.Equal(SandboxTransferStatus.Skipped, results[SandboxTreePacking.Always].Single(o => o.RelativePath == "dir link").Status);
        Assert.Empty(TransferFiles.StagingEntries(holder));
    }

    [Fact]
    public async Task Auto_merges_into_an_existing_destination_file_by_file()
    {
        string local = MakeTree(SandboxTreeCopyOptions.PackingThreshold + 8, largest: 1000);
        string remote = agent.NewFolder("packed-merge");
        Directory.CreateDirectory(Path.Combine(remote, "plain"));
        await File.WriteAllTextAsync(Path.Combine(remote, "plain", "only remote.txt"), "untouched");
        await File.WriteAllTextAsync(Path.Combine(remote, "plain", "f0.txt"), "already here");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        List<SandboxTransferOutcome> merged = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote, new SandboxTreeCopyOptions()));

        Assert.Equal("untouched", await File.ReadAllTextAsync(Path.Combine(remote, "plain", "only remote.txt")));
        Assert.Equal("already here", await File.ReadAllTextAsync(Path.Combine(remote, "plain", "f0.txt")));
        Assert.Equal(SandboxTransferReason.AlreadyExists, merged.Single(o => o.RelativePath == "plain/f0.txt").ReasonCode);
        Assert.All(merged.Where(o => o.RelativePath != "plain/f0.txt"), o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Dictionary<string, string> source = TransferFiles.TreeHashes(local);
        Dictionary<string, string> written = TransferFiles.TreeHashes(remote);
        Assert.All(source.Where(p => p.Key != "plain/f0.txt"), pair => Assert.Equal(pair.Value, written[pair.Key]));
        Assert.DoesNotContain(TransferFiles.StagingEntries(Path.GetDirectoryName(remote)!), p => p.Contains(Path.GetFileName(remote), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Always_refuses_an_existing_destination_before_writing_anything()
    {
        string local = MakeTree(5, largest: 10);
        string remote = agent.NewFolder("packed-refused");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() =>
            TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote, new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Always })));

        Assert.Equal(SandboxErrorCode.AlreadyExists, error.Code);
        Assert.Contains("packed copy only makes a new directory", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(remote));
    }

    [Fact]
    public async Task Stopping_a_packed_upload_midway_leaves_no_destination_and_no_staging()
    {
        string local = _files.NewFolder("packed-cancel");
        for (int i = 0; i < 60; i++)
        {
            string folder = Directory.CreateDirectory(Path.Combine(local, $"d {i % 4}")).FullName;
            TransferFiles.WriteRandom(Path.Combine(folder, $"f #{i}.bin"), 256 * 1024 + i, i + 1);
        }
        string holder = agent.NewFolder("packed-cancel");
        string remote = Path.Combine(holder, "copy");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using var cancel = new CancellationTokenSource();
        // Stopped at the first report, as the first file goes into the archive (reports are throttled, so a later one may never come
        // before the end): synchronous, so the copy is cancelled with 59 files still to send.
        var progress = new CallbackProgress(_ => cancel.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote,
            new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Always }, progress, cancel.Token)));

        Assert.True(cancel.IsCancellationRequested);
        Assert.False(Directory.Exists(remote));
        await TransferFiles.AssertNoStagingAsync(holder);
    }

    // ------------------------------------------------------------ downloads

    /// <summary>Archives a packed download made in the sandbox's /tmp for the tree <paramref name="leaf"/>: none may outlive the copy.</summary>
    static string[] RemoteArchives(string leaf) =>
        Directory.GetFiles("/tmp", "." + leaf + ".tar.sbxpart-*");

    async Task<string> UploadFileByFileAsync(SandboxClient client, string local, string purpose)
    {
        string remote = Path.Combine(agent.NewFolder(purpose), "tree-" + Guid.NewGuid().ToString("N")[..8]);
        List<SandboxTransferOutcome> up = await TransferFiles.ToListAsync(client.Transfer.UploadDirectoryAsync(local, remote, new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Never }));
        Assert.All(up, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        return remote;
    }

    [Theory, BothProtocols]
    public async Task A_tree_comes_down_packed_into_a_new_folder_byte_exact_with_every_item_reported(SandboxProtocol protocol)
    {
        string local = MakeTree(70);
        using SandboxClient client = agent.CreateClient(protocol);
        string remote = await UploadFileByFileAsync(client, local, "packed-down");
        string holder = _files.NewFolder("packed-down");
        string back = Path.Combine(holder, "new", "back");
        var progress = new RecordingProgress<SandboxTransferProgress>();

        List<SandboxTransferOutcome> down = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, back,
            new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Always }, progress));

        Dictionary<string, string> source = TransferFiles.TreeHashes(local);
        Assert.Equal(source, TransferFiles.TreeHashes(back));
        Assert.Equal(TransferFiles.TreeFolders(local), TransferFiles.TreeFolders(back));
        Assert.All(down, o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Assert.Equal(source.Keys.Order(StringComparer.Ordinal), down.Where(o => o.Kind == SandboxItemType.File).Select(o => o.RelativePath).Order(StringComparer.Ordinal));
        Assert.Equal(TransferFiles.TreeFolders(local), down.Where(o => o.Kind == SandboxItemType.Directory).Select(o => o.RelativePath).Order(StringComparer.Ordinal));
        Assert.All(down.Where(o => o.Kind == SandboxItemType.File), o =>
        {
            Assert.Equal(new FileInfo(Path.Combine(local, o.RelativePath)).Length, o.Bytes);
            Assert.Equal(Path.Combine(back, o.RelativePath), o.Destination);
            Assert.Equal(remote + "/" + o.RelativePath, o.Source);
        });
        long total = source.Keys.Sum(k => new FileInfo(Path.Combine(local, k)).Length);
        SandboxTransferProgress last = progress.Values[^1];
        Assert.Equal(total, last.BytesTransferred);
        Assert.Equal(70, last.FilesCompleted);
        Assert.Empty(TransferFiles.StagingEntries(holder));
        Assert.Empty(RemoteArchives(Path.GetFileName(remote)));
    }

    [Fact]
    public async Task Links_in_a_packed_download_are_skipped_and_nothing_lands_outside()
    {
        string remote = Path.Combine(agent.NewFolder("packed-down-links"), "tree-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(remote, "dir"));
        await File.WriteAllTextAsync(Path.Combine(remote, "dir", "real.txt"), "real");
        string outside = _files.NewFolder("outside-target");
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "outside");
        File.CreateSymbolicLink(Path.Combine(remote, "to outside"), Path.Combine(outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(remote, "dir link"), outside);
        Assert.Equal(0, await RunInSandboxAsync($"ln '{Path.Combine(remote, "dir", "real.txt")}' '{Path.Combine(remote, "hard.txt")}'"));
        string holder = _files.NewFolder("packed-down-links");
        string back = Path.Combine(holder, "back");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        List<SandboxTransferOutcome> down = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, back,
            new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Always }));

        SandboxTransferOutcome Of(string relative) => down.Single(o => o.RelativePath == relative);
        Assert.Equal(SandboxTransferReason.SymbolicLink, Of("to outside").ReasonCode);
        Assert.Equal(SandboxTransferReason.SymbolicLink, Of("dir link").ReasonCode);
        // tar stores the second name of a file with two as a hard link to the first.
        Assert.Single(down, o => o.ReasonCode == SandboxTransferReason.SymbolicLink && o.Reason!.Contains("hard link", StringComparison.Ordinal));
        Assert.All(down.Where(o => o.ReasonCode == SandboxTransferReason.SymbolicLink), o => Assert.Equal(SandboxTransferStatus.Skipped, o.Status));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(back, "*", SearchOption.AllDirectories), p => File.GetAttributes(p).HasFlag(FileAttributes.ReparsePoint));
        Assert.Equal(["dir", "dir/real.txt"], Directory.GetFileSystemEntries(back, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(back, p)).Where(p => p != "hard.txt").Order(StringComparer.Ordinal));
        Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.Equal(["back"], Directory.GetFileSystemEntries(holder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Auto_copies_a_large_tree_with_links_file_by_file_so_a_link_inside_is_copied_as_its_file()
    {
        string local = MakeTree(SandboxTreeCopyOptions.PackingThreshold + 8, largest: 1000);
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        string remote = await UploadFileByFileAsync(client, local, "packed-down-auto-links");
        File.CreateSymbolicLink(Path.Combine(remote, "to inside.txt"), Path.Combine(remote, "plain", "f0.txt"));
        string back = Path.Combine(_files.NewFolder("packed-down-auto-links"), "back");

        List<SandboxTransferOutcome> down = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, back, new SandboxTreeCopyOptions()));

        // A packed copy would skip the link; the per-file copy follows it to the file inside the tree.
        Assert.Equal(SandboxTransferStatus.Copied, down.Single(o => o.RelativePath == "to inside.txt").Status);
        Assert.Equal(TransferFiles.Sha256(Path.Combine(local, "plain", "f0.txt")), TransferFiles.Sha256(Path.Combine(back, "to inside.txt")));
        Assert.False(File.GetAttributes(Path.Combine(back, "to inside.txt")).HasFlag(FileAttributes.ReparsePoint));
        Dictionary<string, string> written = TransferFiles.TreeHashes(back);
        Assert.All(TransferFiles.TreeHashes(local), pair => Assert.Equal(pair.Value, written[pair.Key]));
    }

    [Fact]
    public async Task A_hostile_archive_from_the_sandbox_cannot_write_outside_the_destination()
    {
        // Made in the sandbox with python3's tarfile, which writes whatever names and links it is given.
        string local = _files.NewFolder("hostile");
        string holder = Path.Combine(local, "holder");
        Directory.CreateDirectory(holder);
        string absoluteTarget = Path.Combine(local, "absolute-evil.txt");
        string sandboxFolder = agent.NewFolder("hostile");
        string archive = Path.Combine(sandboxFolder, "hostile.tar");
        string script = string.Join("\n",
            "import io, tarfile",
            "t = tarfile.open(__import__('sys').argv[1], 'w', format=tarfile.PAX_FORMAT)",
            "def add(name, data=b'x', kind=tarfile.REGTYPE, link=''):",
            "    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.size = len(data) if kind == tarfile.REGTYPE else 0",
            "    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)",
            "add('good.txt', b'good')",
            "add('../evil.txt')",
            "add('./a/../../evil2.txt')",
            $"add('{absoluteTarget}')",
            "add('back\\\\slash.txt')",
            "add('link', kind=tarfile.SYMTYPE, link='..')",
            "add('link/through-link.txt')",
            "add('hard', kind=tarfile.LNKTYPE, link='/etc/passwd')",
            "add('fifo', kind=tarfile.FIFOTYPE)",
            "add('good.txt', b'second')",
            "t.close()");
        await File.WriteAllTextAsync(Path.Combine(sandboxFolder, "make.py"), script);
        Assert.Equal(0, await RunInSandboxAsync($"python3 '{Path.Combine(sandboxFolder, "make.py")}' '{archive}'"));
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using var bytes = new MemoryStream();
        await client.Transfer.DownloadAsync(archive, bytes);
        bytes.Position = 0;
        string staging = Path.Combine(holder, ".back.sbxpart-test");
        string destination = Path.Combine(holder, "back");
        Directory.CreateDirectory(staging);

        List<SandboxTransferOutcome> outcomes = await PackedTreeDownload.ExtractAsync(bytes, "/sandbox/tree", staging, destination, new TreeProgress(null, 0, 0), default);

        SandboxTransferOutcome Of(string relative) => outcomes.First(o => o.RelativePath == relative);
        Assert.Equal(SandboxTransferStatus.Copied, Of("good.txt").Status);
        Assert.Equal("good", await File.ReadAllTextAsync(Path.Combine(staging, "good.txt")));
        Assert.Equal(SandboxTransferStatus.Failed, outcomes.Last(o => o.RelativePath == "good.txt").Status);
        foreach (string unsafeName in new[] { "../evil.txt", "a/../../evil2.txt", absoluteTarget, "back\\slash.txt" })
        {
            Assert.Equal(SandboxTransferReason.UnsafePath, Of(unsafeName).ReasonCode);
        }
        Assert.Equal(SandboxTransferReason.SymbolicLink, Of("link").ReasonCode);
        Assert.Equal(SandboxTransferReason.SymbolicLink, Of("hard").ReasonCode);
        Assert.Equal(SandboxTransferReason.UnsupportedType, Of("fifo").ReasonCode);
        // The file named below the refused link lands in a real directory inside the staging directory, nowhere else.
        Assert.Equal(SandboxTransferStatus.Copied, Of("link/through-link.txt").Status);
        Assert.False(File.GetAttributes(Path.Combine(staging, "link")).HasFlag(FileAttributes.ReparsePoint));
        Assert.False(File.Exists(absoluteTarget));
        Assert.Equal(["holder"], Directory.GetFileSystemEntries(local).Select(Path.GetFileName));
        Assert.Equal([".back.sbxpart-test"], Directory.GetFileSystemEntries(holder).Select(Path.GetFileName));
        Assert.Equal(["good.txt", "link", "link/through-link.txt"],
            Directory.GetFileSystemEntries(staging, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(staging, p)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_existing_local_folder_is_merged_file_by_file_with_Auto_and_refused_with_Always()
    {
        string local = MakeTree(SandboxTreeCopyOptions.PackingThreshold + 8, largest: 1000);
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        string remote = await UploadFileByFileAsync(client, local, "packed-down-merge");
        string back = _files.NewFolder("packed-down-merge");
        Directory.CreateDirectory(Path.Combine(back, "plain"));
        await File.WriteAllTextAsync(Path.Combine(back, "plain", "only local.txt"), "untouched");
        await File.WriteAllTextAsync(Path.Combine(back, "plain", "f0.txt"), "already here");

        SandboxException refused = await Assert.ThrowsAsync<SandboxException>(() =>
            TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, back, new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Always })));
        Assert.Equal(SandboxErrorCode.AlreadyExists, refused.Code);
        Assert.Equal(2, Directory.GetFileSystemEntries(back, "*", SearchOption.AllDirectories).Length - 1);

        List<SandboxTransferOutcome> merged = await TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, back, new SandboxTreeCopyOptions()));

        Assert.Equal("untouched", await File.ReadAllTextAsync(Path.Combine(back, "plain", "only local.txt")));
        Assert.Equal("already here", await File.ReadAllTextAsync(Path.Combine(back, "plain", "f0.txt")));
        Assert.Equal(SandboxTransferReason.AlreadyExists, merged.Single(o => o.RelativePath == "plain/f0.txt").ReasonCode);
        Dictionary<string, string> written = TransferFiles.TreeHashes(back);
        Assert.All(TransferFiles.TreeHashes(local).Where(p => p.Key != "plain/f0.txt"), pair => Assert.Equal(pair.Value, written[pair.Key]));
    }

    [Fact]
    public async Task Stopping_a_packed_download_midway_leaves_no_destination_and_no_staging()
    {
        string local = _files.NewFolder("packed-down-cancel");
        for (int i = 0; i < 60; i++)
        {
            string folder = Directory.CreateDirectory(Path.Combine(local, $"d {i % 4}")).FullName;
            TransferFiles.WriteRandom(Path.Combine(folder, $"f #{i}.bin"), 64 * 1024 + i, i + 1);
        }
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        string remote = await UploadFileByFileAsync(client, local, "packed-down-cancel");
        string holder = _files.NewFolder("packed-down-cancel");
        string back = Path.Combine(holder, "back");
        using var cancel = new CancellationTokenSource();
        // Stopped at the first report, as the first file is unpacked from the downloaded archive.
        var progress = new CallbackProgress(_ => cancel.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TransferFiles.ToListAsync(client.Transfer.DownloadDirectoryAsync(remote, back,
            new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Always }, progress, cancel.Token)));

        Assert.True(cancel.IsCancellationRequested);
        Assert.Empty(Directory.GetFileSystemEntries(holder));
        Assert.Empty(RemoteArchives(Path.GetFileName(remote)));
    }

    /// <summary>Runs a shell command in the sandbox (the local agent's real /bin/bash) and returns its exit code.</summary>
    async Task<int> RunInSandboxAsync(string command)
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        int? exitCode = null;
        await foreach (var e in client.Processes.StartAsync(ScaleBox.Sandbox.Client.Processes.SandboxProcessStartInfo.ForCommand(command)))
        {
            if (e is ScaleBox.Sandbox.Client.Processes.SandboxProcessExit exit)
            {
                exitCode = exit.ExitCode;
            }
        }
        return exitCode ?? -1;
    }

    public void Dispose() => _files.Dispose();

    /// <summary>Runs on the reporting thread, at once (Progress&lt;T&gt; would post to the pool).</summary>
    sealed class CallbackProgress(Action<SandboxTransferProgress> onReport) : IProgress<SandboxTransferProgress>
    {
        public void Report(SandboxTransferProgress value) => onReport(value);
    }
}
