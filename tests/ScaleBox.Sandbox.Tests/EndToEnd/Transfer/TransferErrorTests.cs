using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>Each failure of a transfer is a SandboxException with a code, the path as target, and no token.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class TransferErrorTests(LocalAgentFixture agent) : IDisposable
{
    readonly TransferFiles _files = new();

    [Theory, AllProtocols]
    public async Task Downloading_a_missing_file_is_NotFound_and_leaves_nothing_behind(SandboxProtocol protocol)
    {
        string missing = Path.Combine(agent.NewFolder("dl-missing"), "nothing #1.txt");
        string target = _files.PathOf("never.txt");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadFileAsync(missing, target));

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Equal(missing, error.Target);
        Assert.Contains("does not exist", error.ServerMessage, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFileSystemEntries(_files.Root));
    }

    [Theory, AllProtocols]
    public async Task Downloading_a_directory_is_InvalidArgument(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("dl-dir");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadAsync(folder, new MemoryStream()));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
        Assert.Equal(folder, error.Target);
    }

    [Theory, AllProtocols]
    public async Task A_wrong_token_is_Unauthenticated_both_ways_and_never_echoed(SandboxProtocol protocol)
    {
        const string wrongToken = "wrong-token-8d1f";
        string file = Path.Combine(agent.NewFolder("dl-auth"), "a.txt");
        await File.WriteAllTextAsync(file, "a");
        using SandboxClient client = agent.CreateClient(protocol, accessToken: wrongToken);

        SandboxException download = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadAsync(file, new MemoryStream()));
        SandboxException upload = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.UploadAsync(new MemoryStream([1, 2, 3]), file + ".up"));
        SandboxException open = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.OpenReadAsync(file));

        foreach (SandboxException error in new[] { download, upload, open })
        {
            Assert.Equal(SandboxErrorCode.Unauthenticated, error.Code);
            Assert.DoesNotContain(wrongToken, error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(agent.AccessToken, error.ToString(), StringComparison.Ordinal);
        }
        Assert.False(File.Exists(file + ".up"));
    }

    [Theory, AllProtocols]
    public async Task Uploading_onto_a_directory_is_InvalidArgument_and_leaves_no_staging_file(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("up-onto-dir");
        string directory = Directory.CreateDirectory(Path.Combine(folder, "taken")).FullName;
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(
            () => client.Transfer.UploadAsync(new MemoryStream([1, 2, 3]), directory));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
        Assert.Equal(directory, error.Target);
        Assert.Equal([directory], Directory.GetFileSystemEntries(folder));
        Assert.Empty(Directory.GetFileSystemEntries(directory));
    }

    [Theory, AllProtocols]
    public async Task Uploading_below_a_file_is_FailedPrecondition_naming_the_file_in_the_way(SandboxProtocol protocol)
    {
        // The agent answers it 500 ("error ensuring directories: path is a file: …"), as the real agent does.
        string folder = agent.NewFolder("up-below-file");
        string file = Path.Combine(folder, "plain.txt");
        await File.WriteAllTextAsync(file, "x");
        string below = Path.Combine(file, "sub", "new.txt");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException written = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.UploadAsync(new MemoryStream([1, 2, 3]), below));
        SandboxException appended = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.AppendAsync(new MemoryStream([1]), below));

        foreach (SandboxException error in new[] { written, appended })
        {
            Assert.Equal(SandboxErrorCode.FailedPrecondition, error.Code);
            Assert.Equal(below, error.Target);
            Assert.Contains($"'{file}' is a file", error.Message, StringComparison.Ordinal);
            Assert.Equal($"error ensuring directories: path is a file: {file}", error.ServerMessage);
        }
        Assert.Equal("x", await File.ReadAllTextAsync(file));
        Assert.Equal([file], Directory.GetFileSystemEntries(folder));
    }

    [Theory, AllProtocols]
    public async Task An_existing_local_file_is_refused_before_any_transfer_unless_overwrite(SandboxProtocol protocol)
    {
        string remote = Path.Combine(agent.NewFolder("dl-overwrite"), "new.txt");
        await File.WriteAllTextAsync(remote, "new content");
        string target = _files.PathOf("existing.txt");
        await File.WriteAllTextAsync(target, "old content");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadFileAsync(remote, target));
        Assert.Equal(SandboxErrorCode.AlreadyExists, error.Code);
        Assert.Equal(target, error.Target);
        Assert.Equal("old content", await File.ReadAllTextAsync(target));

        SandboxDownloadResult result = await client.Transfer.DownloadFileAsync(remote, target, overwrite: true);
        Assert.Equal("new content", await File.ReadAllTextAsync(target));
        Assert.Equal(11, result.Length);
        Assert.Equal([target], Directory.GetFileSystemEntries(_files.Root));
    }

    [Theory, AllProtocols]
    public async Task Without_overwrite_an_upload_refuses_what_is_there_and_leaves_no_staging_file(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("up-keep");
        string file = Path.Combine(folder, "kept #1 %.txt");
        string directory = Path.Combine(folder, "sub");
        await File.WriteAllTextAsync(file, "old");
        Directory.CreateDirectory(directory);
        using SandboxClient client = agent.CreateClient(protocol);
        var keep = new SandboxUploadOptions { Overwrite = false };
        static MemoryStream New() => new("new"u8.ToArray());

        SandboxException exists = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.UploadAsync(New(), file, keep));
        Assert.Equal(SandboxErrorCode.AlreadyExists, exists.Code);
        Assert.Equal(file, exists.Target);
        Assert.Equal("old", await File.ReadAllTextAsync(file));

        SandboxException inTheWay = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.UploadAsync(New(), directory, keep));
        Assert.Equal(SandboxErrorCode.InvalidArgument, inTheWay.Code);
        Assert.Contains("it is a directory", inTheWay.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(directory));

        string fresh = Path.Combine(folder, "fresh.txt");
        SandboxUploadResult written = await client.Transfer.UploadAsync(New(), fresh, keep);
        Assert.Equal(3, written.Length);
        Assert.Equal("new", await File.ReadAllTextAsync(fresh));
        // Nothing but the three: no staging file was left by either refusal.
        Assert.Equal(new[] { directory, file, fresh }.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(folder).Order(StringComparer.Ordinal));

        await client.Transfer.UploadAsync(New(), file, new SandboxUploadOptions());
        Assert.Equal("new", await File.ReadAllTextAsync(file));
    }

    [Theory, AllProtocols]
    public async Task A_wrong_expected_hash_is_DataLoss_and_the_target_is_not_written(SandboxProtocol protocol)
    {
        string remote = Path.Combine(agent.NewFolder("dl-hash"), "h.txt");
        await File.WriteAllTextAsync(remote, "content");
        string target = _files.PathOf("h.txt");
        using SandboxClient client = agent.CreateClient(protocol);
        var options = new SandboxDownloadOptions { ExpectedSha256 = new string('0', 64) };

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadFileAsync(remote, target, options: options));

        Assert.Equal(SandboxErrorCode.DataLoss, error.Code);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFileSystemEntries(_files.Root));

        options.ExpectedSha256 = TransferFiles.Sha256("content"u8.ToArray()).ToUpperInvariant();
        SandboxDownloadResult ok = await client.Transfer.DownloadFileAsync(remote, target, options: options);
        Assert.Equal(TransferFiles.Sha256("content"u8.ToArray()), ok.Sha256);
    }

    [Fact]
    public async Task Cancelling_a_download_deletes_the_temporary_file()
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("dl-cancel"), "c.bin"), 64L * 1024 * 1024);
        string target = _files.PathOf("c.bin");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using var cancel = new CancellationTokenSource();
        var progress = new CancelAfter(cancel, 1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.Transfer.DownloadFileAsync(remote, target, bytesReceived: progress, cancellationToken: cancel.Token));

        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFileSystemEntries(_files.Root));
    }

    [Fact]
    public async Task An_unreachable_agent_is_Unavailable()
    {
        var options = new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{ClosedPort.Find()}"), new AccessToken("t"));
        using var client = new SandboxClient(options);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.DownloadAsync("/x", new MemoryStream()));

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
    }

    [Theory, AllProtocols]
    public async Task A_source_that_fails_mid_upload_is_a_local_IOException_and_writes_nothing(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("up-source-fails");
        string remote = Path.Combine(folder, "f.bin");
        using SandboxClient client = agent.CreateClient(protocol);

        IOException error = await Assert.ThrowsAsync<IOException>(() => client.Transfer.UploadAsync(new FailingStream(1_000_000), remote));

        Assert.Contains("disk on fire", error.Message, StringComparison.Ordinal);
        Assert.Contains(remote, error.Message, StringComparison.Ordinal);
        for (int i = 0; i < 50 && Directory.GetFileSystemEntries(folder).Length > 0; i++)
        {
            await Task.Delay(100);
        }
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    /// <summary>An unseekable source that gives <paramref name="before"/> bytes, then fails like a broken disk.</summary>
    sealed class FailingStream(long before) : Stream
    {
        long _given;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= before)
            {
                throw new IOException("disk on fire");
            }
            int n = (int)Math.Min(count, before - _given);
            Array.Fill(buffer, (byte)'x', offset, n);
            _given += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    sealed class CancelAfter(CancellationTokenSource cancel, long bytes) : IProgress<long>
    {
        public void Report(long value)
        {
            if (value >= bytes)
            {
                cancel.Cancel();
            }
        }
    }

    public void Dispose() => _files.Dispose();
}
