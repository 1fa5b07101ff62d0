using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;
using ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// A download's first request sent before the caller decides to take it (alongside the lookup of
/// its path): taken, it is that download's first answer, with the download's resume and idle
/// timer; let go, it ends and leaves nothing behind.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class DownloadSentAheadTests(LocalAgentFixture agent) : IDisposable
{
    const int FileLength = 3 * 1024 * 1024 + 77;

    readonly TransferFiles _files = new();

    [Theory, AllProtocols]
    public async Task A_request_sent_ahead_becomes_the_download_once_taken(SandboxProtocol protocol)
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("ahead"), "a b#1.bin"), FileLength, seed: 21);
        using SandboxClient client = agent.CreateClient(protocol);
        string target = _files.PathOf("a.bin");

        using SandboxDownloadRequest begun = client.Transfer.BeginDownload(remote);
        await Task.Delay(100); // its answer waits, unread, while the caller decides
        SandboxDownloadResult result = await client.Transfer.DownloadFileAsync(begun, target, options: new SandboxDownloadOptions { ComputeSha256 = true });

        Assert.Equal(remote, result.RemotePath);
        Assert.Equal(FileLength, result.Length);
        Assert.Equal(TransferFiles.Sha256(remote), result.Sha256);
        Assert.Equal(TransferFiles.Sha256(remote), TransferFiles.Sha256(target));
        Assert.Equal([target], Directory.GetFileSystemEntries(_files.Root));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.Transfer.DownloadFileAsync(begun, _files.PathOf("again.bin")));
    }

    [Fact]
    public async Task A_request_sent_ahead_and_cut_mid_body_resumes()
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("ahead-cut"), "c.bin"), FileLength, seed: 22);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.CutResponse(connection: 1, 200_000, countFromBody: true);
        using SandboxClient client = agent.CreateClientThrough(proxy);
        string target = _files.PathOf("c.bin");

        using SandboxDownloadRequest begun = client.Transfer.BeginDownload(remote);
        SandboxDownloadResult result = await client.Transfer.DownloadFileAsync(begun, target,
            options: new SandboxDownloadOptions { ResumeDelay = TimeSpan.Zero, ExpectedSha256 = TransferFiles.Sha256(remote) });

        Assert.Equal(1, proxy.CutCount);
        Assert.Equal(1, result.ResumeCount);
        Assert.Equal(TransferFiles.Sha256(remote), TransferFiles.Sha256(target));
    }

    [Fact]
    public async Task The_download_idle_timer_ends_a_request_sent_ahead_that_gets_no_answer()
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("ahead-stall"), "s.bin"), 1000, seed: 23);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.StallResponse(connection: 1, 0);
        using SandboxClient client = agent.CreateClientThrough(proxy);
        string target = _files.PathOf("s.bin");

        using SandboxDownloadRequest begun = client.Transfer.BeginDownload(remote);
        // Bounded, so that a request the timer does not reach fails the test instead of hanging it.
        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadFileAsync(begun, target,
            options: new SandboxDownloadOptions { IdleTimeout = TimeSpan.FromSeconds(1) }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Equal(remote, error.Target);
        Assert.Empty(Directory.GetFileSystemEntries(_files.Root));
    }

    [Fact]
    public async Task A_request_sent_ahead_for_a_missing_file_fails_as_a_download_would_and_writes_nothing()
    {
        string remote = Path.Combine(agent.NewFolder("ahead-missing"), "none.bin");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        using SandboxDownloadRequest begun = client.Transfer.BeginDownload(remote);
        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadFileAsync(begun, _files.PathOf("none.bin")));

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Equal(remote, error.Target);
        Assert.Empty(Directory.GetFileSystemEntries(_files.Root));
    }

    [Fact]
    public async Task A_request_sent_ahead_and_let_go_ends_its_connection()
    {
        // Larger than what the sockets buffer: the agent is still sending when the request is let go.
        const int Length = 32 * 1024 * 1024;
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("ahead-let-go"), "big.bin"), Length, seed: 24);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        using SandboxClient client = agent.CreateClientThrough(proxy);

        SandboxDownloadRequest begun = client.Transfer.BeginDownload(remote);
        Assert.True(await Eventually.TrueAsync(() => proxy.ConnectionCount == 1), "Waited 10 s for the request to reach the proxy.");
        begun.Dispose();

        // Its body was never read: the connection that carried it is closed, not left to the agent.
        Assert.True(await Eventually.TrueAsync(() => proxy.ClosedCount == 1), "Waited 10 s for the let-go request's connection to close.");
        var copy = new MemoryStream();
        await client.Transfer.DownloadAsync(remote, copy);
        Assert.Equal(Length, copy.Length);
    }

    public void Dispose() => _files.Dispose();
}
