using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// A sandbox whose shell finds no <c>tar</c>: an agent of its own whose PATH names an empty
/// folder, so its processes cannot find tar (or anything else) by name. Auto copies such trees
/// file by file, whole; Always refuses before anything is written.
/// </summary>
public sealed class PackingWithoutTarTests : IAsyncLifetime
{
    // Above SandboxTreeCopyOptions.PackingThreshold, so Auto would pack where tar exists.
    const int FileCount = 40;

    readonly TransferFiles _files = new();
    SeparateAgent _agent = null!;

    SandboxClient Client => _agent.Client;

    string Home => _agent.Home;

    public async Task InitializeAsync() => _agent = await SeparateAgent.StartAsync(
        environment: new Dictionary<string, string> { ["PATH"] = _files.NewFolder("empty-path") });

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task The_sandbox_in_these_tests_has_no_tar_by_name()
    {
        // The premise of the others: the probe a packed copy runs fails here.
        int? exitCode = null;
        await foreach (var e in Client.Processes.StartAsync(new SandboxProcessStartInfo("/bin/sh", ["-c", "command -v tar"])))
        {
            if (e is SandboxProcessExit exit) exitCode = exit.ExitCode;
        }
        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public async Task Auto_uploads_and_downloads_a_large_tree_file_by_file_whole()
    {
        string local = _files.NewAwkwardTree("no-tar", FileCount, 8 * 1024);
        string remote = Path.Combine(Home, "up");
        string back = Path.Combine(_files.NewFolder("no-tar-back"), "tree");

        List<SandboxTransferOutcome> up = await Client.Transfer.UploadDirectoryAsync(local, remote, new SandboxTreeCopyOptions()).ToListAsync();
        List<SandboxTransferOutcome> down = await Client.Transfer.DownloadDirectoryAsync(remote, back, new SandboxTreeCopyOptions()).ToListAsync();

        Dictionary<string, string> source = TransferFiles.TreeHashes(local);
        Assert.Equal(FileCount, source.Count);
        Assert.Equal(source, TransferFiles.TreeHashes(remote));
        Assert.Equal(source, TransferFiles.TreeHashes(back));
        Assert.All(up.Concat(down), o => Assert.Equal(SandboxTransferStatus.Copied, o.Status));
        Assert.Empty(TransferFiles.StagingEntries(Home));
    }

    [Fact]
    public async Task Always_refuses_before_writing_anything()
    {
        string local = _files.NewAwkwardTree("no-tar-always", FileCount, 1024);
        string remote = Path.Combine(Home, "always");

        SandboxException e = await Assert.ThrowsAsync<SandboxException>(() =>
            Client.Transfer.UploadDirectoryAsync(local, remote, new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Always }).ToListAsync().AsTask());

        Assert.Equal(SandboxErrorCode.FailedPrecondition, e.Code);
        Assert.Contains("needs 'tar' in the sandbox", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(remote));
        Assert.Empty(TransferFiles.StagingEntries(Home));
    }
}
