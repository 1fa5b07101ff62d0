using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;
using ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// An upload posted to its staging name before the caller decides to keep it (alongside the
/// lookups of its destination): taken, it is renamed into place as any upload is; let go, or
/// failing, it leaves nothing behind, neither under its name nor staged.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class UploadSentAheadTests(LocalAgentFixture agent) : IDisposable
{
    readonly TransferFiles _files = new();

    [Theory, AllProtocols]
    public async Task An_upload_posted_ahead_is_renamed_into_place_once_taken(SandboxProtocol protocol)
    {
        string local = TransferFiles.WriteRandom(_files.PathOf("source.bin"), 300_001, seed: 31);
        string folder = agent.NewFolder("up-ahead");
        string remote = Path.Combine(folder, "a b#1 ü.bin");
        using SandboxClient client = agent.CreateClient(protocol);

        await using SandboxUploadRequest begun = client.Transfer.BeginUpload(local, remote);
        await Task.Delay(100); // posted while the caller decides
        var sent = new RecordingProgress<long>();
        SandboxUploadResult result = await client.Transfer.UploadFileAsync(begun, sent);

        Assert.Equal(remote, result.Path);
        Assert.Equal(local, result.LocalPath);
        Assert.Equal(300_001, result.Length);
        Assert.Equal(300_001, result.Item?.Length);
        Assert.Equal(300_001, sent.Values[^1]);
        Assert.Equal(TransferFiles.Sha256(local), TransferFiles.Sha256(remote));
        Assert.Equal([remote], Directory.GetFileSystemEntries(folder));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.Transfer.UploadFileAsync(begun));
    }

    [Fact]
    public async Task An_upload_posted_ahead_and_let_go_once_staged_is_removed()
    {
        string local = TransferFiles.WriteRandom(_files.PathOf("staged.bin"), 4096, seed: 32);
        string folder = agent.NewFolder("up-let-go");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        SandboxUploadRequest begun = client.Transfer.BeginUpload(local, Path.Combine(folder, "staged.bin"));
        Assert.True(await Eventually.TrueAsync(() => TransferFiles.StagingFiles(folder).Length == 1), "Waited 10 s for the post to be staged.");
        await begun.DisposeAsync();

        Assert.Empty(Directory.GetFileSystemEntries(folder));
        await begun.DisposeAsync(); // once is enough; again does nothing
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.Transfer.UploadFileAsync(begun));
    }

    [Fact]
    public async Task An_upload_posted_ahead_and_let_go_mid_body_leaves_nothing()
    {
        // Larger than what the sockets buffer: the body is still going out when the upload is let go.
        string local = TransferFiles.WriteRandom(_files.PathOf("big.bin"), 32 * 1024 * 1024, seed: 33);
        string folder = agent.NewFolder("up-let-go-mid");
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        using SandboxClient client = agent.CreateClientThrough(proxy);

        SandboxUploadRequest begun = client.Transfer.BeginUpload(local, Path.Combine(folder, "big.bin"));
        Assert.True(await Eventually.TrueAsync(() => proxy.ConnectionCount == 1), "Waited 10 s for the post to reach the proxy.");
        await begun.DisposeAsync();

        await TransferFiles.AssertNoStagingAsync(folder);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task Cancelling_the_token_it_was_begun_with_cancels_the_post_and_leaves_nothing()
    {
        string local = TransferFiles.WriteRandom(_files.PathOf("cancelled.bin"), 4096, seed: 34);
        string folder = agent.NewFolder("up-cancelled");
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.StallResponse(connection: 1, 0); // the post's answer never comes
        using SandboxClient client = agent.CreateClientThrough(proxy);
        using var cancel = new CancellationTokenSource();

        await using SandboxUploadRequest begun = client.Transfer.BeginUpload(local, Path.Combine(folder, "cancelled.bin"), cancel.Token);
        Task<SandboxUploadResult> taking = client.Transfer.UploadFileAsync(begun);
        Assert.True(await Eventually.TrueAsync(() => TransferFiles.StagingFiles(folder).Length == 1), "Waited 10 s for the post to be staged.");
        cancel.Cancel();

        // Bounded, so that a post the cancellation does not reach fails the test instead of hanging it.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => taking.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task A_post_that_fails_fails_the_upload_that_takes_it_as_a_plain_upload_would()
    {
        string local = TransferFiles.WriteRandom(_files.PathOf("below.bin"), 100, seed: 35);
        string folder = agent.NewFolder("up-below-file");
        string file = TransferFiles.WriteRandom(Path.Combine(folder, "file.txt"), 10, seed: 36);
        string remote = Path.Combine(file, "below.bin");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        SandboxException plain = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.UploadFileAsync(local, remote));

        await using SandboxUploadRequest begun = client.Transfer.BeginUpload(local, remote);
        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.UploadFileAsync(begun));

        Assert.Equal(plain.Code, error.Code);
        Assert.Equal(plain.Message, error.Message);
        Assert.Equal(remote, error.Target);
        Assert.Equal([file], Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task A_directory_made_at_the_path_after_the_post_refuses_the_rename_and_the_staged_file_goes()
    {
        string local = TransferFiles.WriteRandom(_files.PathOf("late.bin"), 100, seed: 37);
        string folder = agent.NewFolder("up-dir-in-the-way");
        string remote = Path.Combine(folder, "late.bin");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        await using SandboxUploadRequest begun = client.Transfer.BeginUpload(local, remote);
        Assert.True(await Eventually.TrueAsync(() => TransferFiles.StagingFiles(folder).Length == 1), "Waited 10 s for the post to be staged.");
        Directory.CreateDirectory(Path.Combine(remote, "inside"));
        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.UploadFileAsync(begun));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
        Assert.Contains("it is a directory", error.Message);
        Assert.Equal([remote], Directory.GetFileSystemEntries(folder));
        Assert.Equal([Path.Combine(remote, "inside")], Directory.GetFileSystemEntries(remote));
    }

    [Fact]
    public void A_path_that_names_a_directory_is_refused_before_anything_is_sent()
    {
        string local = TransferFiles.WriteRandom(_files.PathOf("x.bin"), 1, seed: 38);
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        Assert.Throws<ArgumentException>(() => client.Transfer.BeginUpload(local, agent.NewFolder("up-named-folder") + "/"));
        Assert.Throws<ArgumentException>(() => client.Transfer.BeginUpload("", "/tmp/x"));
    }

    public void Dispose() => _files.Dispose();
}
