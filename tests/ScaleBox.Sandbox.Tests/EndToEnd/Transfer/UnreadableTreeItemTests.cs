using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// A tree with one file that cannot be read, on either side: every way of copying it copies the
/// rest whole and reports that one file as failed, and the packed download falls back to the
/// per-file copy when the sandbox's tar cannot read it. The sandbox side is an agent of its own
/// started without root's right to read any file (setpriv drops CAP_DAC_OVERRIDE and
/// CAP_DAC_READ_SEARCH from it and all it starts), so a file with mode 000 is unreadable to it
/// and to its tar, as to a sandbox's ordinary user. Locally, the test holds the file open with
/// FileShare.None, which .NET on Unix enforces against every other open, in this process too.
/// </summary>
public sealed class UnreadableTreeItemTests : IAsyncLifetime
{
    // Above SandboxTreeCopyOptions.PackingThreshold, so Auto packs.
    const int FileCount = 40;
    const string UnreadableName = "plain/locked file #.bin";

    readonly TransferFiles _files = new();
    SeparateAgent _agent = null!;

    SandboxClient Client => _agent.Client;

    public async Task InitializeAsync() => _agent = await SeparateAgent.StartAsync(launcher: AgentLauncher.WithoutReadOverride);

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        _files.Dispose();
    }

    [WithoutReadOverrideFact]
    public async Task The_agent_in_these_tests_cannot_read_a_file_with_mode_000()
    {
        // The premise of the download tests: root's override is gone from the agent and its processes.
        string path = Path.Combine(_agent.Home, "premise.txt");
        File.WriteAllText(path, "hidden");
        File.SetUnixFileMode(path, UnixFileMode.None);

        SandboxException e = await Assert.ThrowsAsync<SandboxException>(() => Client.Transfer.DownloadAsync(path, new MemoryStream(), null, null, default));

        // As the real agent answers a file it cannot open: 500, "error opening file".
        Assert.Equal(SandboxErrorCode.Internal, e.Code);
        Assert.Contains("error opening file", e.Message, StringComparison.Ordinal);
    }

    [WithoutReadOverrideTheory]
    [InlineData(SandboxTreePacking.Never)]
    [InlineData(SandboxTreePacking.Always)]
    [InlineData(SandboxTreePacking.Auto)]
    public async Task An_upload_copies_all_but_a_local_file_it_cannot_open_and_reports_that_one(SandboxTreePacking packing)
    {
        (string local, string locked) = NewTreeWithOneMoreFile("locked-" + packing);
        string remote = Path.Combine(_agent.Home, "up-" + packing);

        List<SandboxTransferOutcome> outcomes;
        using (new FileStream(locked, FileMode.Open, FileAccess.Read, FileShare.None))
        {
            outcomes = await Client.Transfer.UploadDirectoryAsync(local, remote, new SandboxTreeCopyOptions { Packing = packing }).ToListAsync();
        }

        SandboxTransferOutcome failed = AssertAllCopiedButTheOneMoreFile(outcomes, local, remote);
        Assert.IsAssignableFrom<IOException>(failed.Exception);
        Assert.Empty(TransferFiles.StagingEntries(_agent.Home));
    }

    [WithoutReadOverrideTheory]
    [InlineData(SandboxTreePacking.Never)]
    [InlineData(SandboxTreePacking.Auto)]
    public async Task A_download_copies_all_but_a_sandbox_file_it_cannot_read_and_reports_that_one(SandboxTreePacking packing)
    {
        (string remote, string unreadable) = NewTreeWithOneMoreFile("unreadable-" + packing);
        File.SetUnixFileMode(unreadable, UnixFileMode.None);
        string back = Path.Combine(_files.NewFolder("back-" + packing), "tree");

        // Auto packs a tree this large, the sandbox's tar fails on the file, and the per-file copy takes over.
        List<SandboxTransferOutcome> outcomes = await Client.Transfer.DownloadDirectoryAsync(remote, back, new SandboxTreeCopyOptions { Packing = packing }).ToListAsync();

        File.SetUnixFileMode(unreadable, UnixFileMode.UserRead | UnixFileMode.UserWrite); // so that the test can hash the source
        SandboxTransferOutcome failed = AssertAllCopiedButTheOneMoreFile(outcomes, remote, back);
        Assert.Contains("error opening file", Assert.IsType<SandboxException>(failed.Exception).Message, StringComparison.Ordinal);
        Assert.Empty(TransferFiles.StagingEntries(Path.GetDirectoryName(back)!));
    }

    [WithoutReadOverrideFact]
    public async Task A_packed_download_the_sandbox_cannot_pack_fails_before_writing_anything_when_packing_is_always()
    {
        (string remote, string unreadable) = NewTreeWithOneMoreFile("unreadable-always");
        File.SetUnixFileMode(unreadable, UnixFileMode.None);
        string parent = _files.NewFolder("back-always");
        string back = Path.Combine(parent, "tree");

        await Assert.ThrowsAsync<SandboxException>(() =>
            Client.Transfer.DownloadDirectoryAsync(remote, back, new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Always }).ToListAsync().AsTask());

        Assert.Empty(Directory.GetFileSystemEntries(parent));
    }

    /// <summary>An awkward tree large enough to be packed, and one more file in it, the one a test makes unreadable.</summary>
    (string Root, string OneMore) NewTreeWithOneMoreFile(string name)
    {
        string root = _files.NewAwkwardTree(name, FileCount, 8 * 1024);
        string oneMore = Path.Combine(root, UnreadableName);
        TransferFiles.WriteRandom(oneMore, 5000, seed: 99);
        return (root, oneMore);
    }

    /// <summary>Asserts that everything but <see cref="UnreadableName"/> arrived whole, and returns that file's outcome, the only failure.</summary>
    static SandboxTransferOutcome AssertAllCopiedButTheOneMoreFile(List<SandboxTransferOutcome> outcomes, string source, string copy)
    {
        SandboxTransferOutcome failed = Assert.Single(outcomes, o => o.Status != SandboxTransferStatus.Copied);
        Assert.Equal(SandboxTransferStatus.Failed, failed.Status);
        Assert.Equal(UnreadableName, failed.RelativePath);
        Dictionary<string, string> expected = TransferFiles.TreeHashes(source);
        Assert.True(expected.Remove(UnreadableName));
        Assert.Equal(expected, TransferFiles.TreeHashes(copy));
        Assert.Equal(TransferFiles.TreeFolders(source), TransferFiles.TreeFolders(copy));
        return failed;
    }
}
