using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;
using ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// Connections cut by a proxy between the client and the real agent: a download picks up where it
/// stopped (and never splices two versions of a file); a cut upload fails and leaves nothing under
/// its name.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ResumeTests(LocalAgentFixture agent) : IDisposable
{
    const int FileLength = 3 * 1024 * 1024 + 123;
    static readonly SandboxDownloadOptions Quick = new() { ResumeDelay = TimeSpan.Zero, ComputeSha256 = true };

    readonly TransferFiles _files = new();

    int PortFor(SandboxProtocol protocol) => protocol == SandboxProtocol.Grpc ? agent.Http2Address.Port : agent.HttpAddress.Port;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64 * 1024)]
    [InlineData(FileLength / 2)]
    [InlineData(FileLength - 1)]
    public async Task A_download_cut_mid_body_resumes_and_matches_the_hash(int bodyBytesBeforeCut)
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("resume"), "r #1.bin"), FileLength, seed: bodyBytesBeforeCut);
        string expected = TransferFiles.Sha256(remote);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.CutResponse(connection: 1, bodyBytesBeforeCut, countFromBody: true);
        using SandboxClient client = agent.CreateClientThrough(proxy);
        string target = _files.PathOf($"r-{bodyBytesBeforeCut}.bin");

        SandboxDownloadResult result = await client.Transfer.DownloadFileAsync(remote, target, options: new SandboxDownloadOptions { ResumeDelay = TimeSpan.Zero, ExpectedSha256 = expected });

        Assert.Equal(1, proxy.CutCount);
        Assert.Equal(1, result.ResumeCount);
        Assert.Equal(expected, result.Sha256);
        Assert.Equal(expected, TransferFiles.Sha256(target));
        Assert.Equal(FileLength, result.Length);
        Assert.Equal([target], Directory.GetFileSystemEntries(_files.Root));
    }

    [Theory, AllProtocols]
    public async Task Several_cuts_in_a_row_resume_each_time(SandboxProtocol protocol)
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("resume-many"), "m.bin"), FileLength, seed: 7);
        await using var proxy = new ConnectionCuttingProxy(PortFor(protocol));
        // Raw byte counts, so the same cuts work for HTTP/1.1 and HTTP/2 framing.
        proxy.CutResponse(1, 300_000);
        proxy.CutResponse(2, 500_000);
        proxy.CutResponse(3, 20_000);
        using SandboxClient client = agent.CreateClientThrough(proxy, protocol);
        var copy = new MemoryStream();

        SandboxDownloadResult result = await client.Transfer.DownloadAsync(remote, copy, Quick);

        Assert.Equal(3, result.ResumeCount);
        Assert.Equal(TransferFiles.Sha256(remote), result.Sha256);
        Assert.Equal(await File.ReadAllBytesAsync(remote), copy.ToArray());
    }

    [Fact]
    public async Task A_stalled_download_is_noticed_after_the_idle_timeout_and_resumed()
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("resume-stall"), "s.bin"), FileLength, seed: 9);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.StallResponse(1, 200_000, countFromBody: true);
        using SandboxClient client = agent.CreateClientThrough(proxy);
        var options = new SandboxDownloadOptions { ResumeDelay = TimeSpan.Zero, IdleTimeout = TimeSpan.FromSeconds(1), ComputeSha256 = true };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        SandboxDownloadResult result = await client.Transfer.DownloadAsync(remote, new MemoryStream(), options);

        Assert.Equal(1, result.ResumeCount);
        Assert.Equal(TransferFiles.Sha256(remote), result.Sha256);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.7), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task More_cuts_than_allowed_fail_with_Unavailable()
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("resume-exhausted"), "x.bin"), FileLength);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        for (int connection = 1; connection <= 3; connection++)
        {
            proxy.CutResponse(connection, 100_000 * connection, countFromBody: true);
        }
        using SandboxClient client = agent.CreateClientThrough(proxy);
        string target = _files.PathOf("x.bin");

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadFileAsync(
            remote, target, options: new SandboxDownloadOptions { MaxResumeAttempts = 2, ResumeDelay = TimeSpan.Zero }));

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Equal(remote, error.Target);
        Assert.Contains("gave up after 2 attempts", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFileSystemEntries(_files.Root));
    }

    [Fact]
    public async Task With_resuming_off_a_cut_fails_at_once()
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("resume-off"), "x.bin"), FileLength);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.CutResponse(1, 1000, countFromBody: true);
        using SandboxClient client = agent.CreateClientThrough(proxy);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadAsync(
            remote, new MemoryStream(), new SandboxDownloadOptions { MaxResumeAttempts = 0 }));

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Equal(1, proxy.ConnectionCount);
    }

    [Theory]
    [InlineData(true)]  // same length, new content and time: only the validator tells
    [InlineData(false)] // a different length
    public async Task A_file_changed_between_cut_and_resume_is_not_spliced(bool sameLength)
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("resume-changed"), "c.bin"), FileLength, seed: 1);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.CutResponse(1, 256 * 1024, countFromBody: true);
        proxy.OnCut = _ =>
        {
            // Rewritten in place (same inode), with a new modification time.
            TransferFiles.WriteRandom(remote, sameLength ? FileLength : FileLength + 10, seed: 2);
            File.SetLastWriteTimeUtc(remote, DateTime.UtcNow.AddHours(1));
        };
        using SandboxClient client = agent.CreateClientThrough(proxy);
        string target = _files.PathOf("c.bin");

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadFileAsync(remote, target, options: Quick));

        Assert.Equal(SandboxErrorCode.Aborted, error.Code);
        Assert.Contains("changed", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFileSystemEntries(_files.Root));
    }

    [Fact]
    public async Task A_resumed_download_into_a_stream_keeps_the_caller_partial_data_on_failure()
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("resume-stream"), "p.bin"), FileLength, seed: 3);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.CutResponse(1, 100_000, countFromBody: true);
        proxy.OnCut = _ => File.SetLastWriteTimeUtc(remote, DateTime.UtcNow.AddHours(2));
        using SandboxClient client = agent.CreateClientThrough(proxy);
        var copy = new MemoryStream();

        await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadAsync(remote, copy, Quick));

        Assert.Equal(100_000, copy.Length); // exactly what arrived before the cut; nothing spliced after it
    }

    [Theory, AllProtocols]
    public async Task A_cut_upload_fails_and_leaves_no_file_under_its_name(SandboxProtocol protocol)
    {
        string source = TransferFiles.WriteRandom(_files.PathOf("up.bin"), 8L * 1024 * 1024);
        string folder = agent.NewFolder("upload-cut");
        string remote = Path.Combine(folder, "up #1.bin");
        await using var proxy = new ConnectionCuttingProxy(PortFor(protocol));
        proxy.CutRequest(1, 2 * 1024 * 1024);
        using SandboxClient client = agent.CreateClientThrough(proxy, protocol);
        using SandboxClient direct = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.UploadFileAsync(source, remote));

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Equal(remote, error.Target);
        Assert.False(await direct.Files.ExistsAsync(remote));
        Assert.True(await Eventually.TrueAsync(() => Directory.GetFileSystemEntries(folder).Length == 0, TimeSpan.FromSeconds(5)),
            "staging files left: " + string.Join(", ", Directory.GetFileSystemEntries(folder)));
    }

    [Fact]
    public async Task A_cut_upload_over_an_existing_file_keeps_the_old_content()
    {
        string source = TransferFiles.WriteRandom(_files.PathOf("up2.bin"), 8L * 1024 * 1024);
        string remote = Path.Combine(agent.NewFolder("upload-cut-keep"), "keep.txt");
        await File.WriteAllTextAsync(remote, "old");
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.CutRequest(1, 1024 * 1024);
        using SandboxClient client = agent.CreateClientThrough(proxy);

        await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.UploadFileAsync(source, remote));

        Assert.Equal("old", await File.ReadAllTextAsync(remote));
    }

    [Fact]
    public async Task A_tree_copied_between_sandboxes_goes_on_past_a_file_whose_upload_was_cut_while_both_agents_answer()
    {
        string from = agent.NewFolder("between-cut-from");
        TransferFiles.WriteRandom(Path.Combine(from, "a-big.bin"), 4L * 1024 * 1024);
        foreach (int i in Enumerable.Range(1, 5))
        {
            await File.WriteAllTextAsync(Path.Combine(from, $"small-{i}.txt"), $"small {i}");
        }
        string to = Path.Combine(agent.NewFolder("between-cut-to"), "copy");
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        // Whichever connection carries the big upload (requests before it are small, the files after it too).
        proxy.CutRequest(1, 1024 * 1024);
        proxy.CutRequest(2, 1024 * 1024);
        using SandboxClient source = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using SandboxClient target = agent.CreateClientThrough(proxy);

        List<SandboxTransferOutcome> outcomes = await TransferFiles.ToListAsync(source.Transfer.CopyDirectoryToAsync(from, target, to, new SandboxTreeCopyOptions { MaxParallelFiles = 1 }));

        Assert.Equal(1, proxy.CutCount);
        SandboxTransferOutcome cut = Assert.Single(outcomes, o => o.Status == SandboxTransferStatus.Failed);
        Assert.Equal("a-big.bin", cut.RelativePath);
        Assert.Equal(SandboxErrorCode.Unavailable, Assert.IsType<SandboxException>(cut.Exception).Code);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"small-{i}.txt"),
            outcomes.Where(o => o.Status == SandboxTransferStatus.Copied).Select(o => o.RelativePath).Order());
        Assert.False(File.Exists(Path.Combine(to, "a-big.bin")));
    }

    [Fact]
    public async Task A_file_copied_between_sandboxes_ends_when_the_source_stops_answering_mid_body()
    {
        string from = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("between-stall-from"), "big.bin"), FileLength, seed: 31);
        string toFolder = agent.NewFolder("between-stall-to");
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.StallResponse(1, 500_000, countFromBody: true);
        using SandboxClient source = agent.CreateClientThrough(proxy);
        // The upload to the target is what waits for the source's bytes: its idle time ends the copy.
        using SandboxClient target = agent.CreateClient(SandboxProtocol.GrpcWeb, timeout: TimeSpan.FromSeconds(2));

        // Bounded, so that a copy nothing ends fails the test instead of hanging it.
        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() =>
            source.Transfer.CopyToAsync(from, target, Path.Combine(toFolder, "big.bin")).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Equal(1, proxy.ConnectionCount);
        Assert.True(await Eventually.TrueAsync(() => Directory.GetFileSystemEntries(toFolder).Length == 0, TimeSpan.FromSeconds(5)),
            "nothing, not even a staging file, is left in the target folder: " + string.Join(", ", Directory.GetFileSystemEntries(toFolder)));
    }

    public void Dispose() => _files.Dispose();
}
