using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>Upload then download through the real agent, compared by SHA-256 at every step.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class RoundTripTests(LocalAgentFixture agent) : IDisposable
{
    static readonly SandboxDownloadOptions Hashed = new() { ComputeSha256 = true };

    readonly TransferFiles _files = new();

    public static TheoryData<SandboxProtocol, string> Names()
    {
        var data = new TheoryData<SandboxProtocol, string>();
        foreach (SandboxProtocol protocol in new[] { SandboxProtocol.GrpcWeb, SandboxProtocol.Grpc })
        {
            foreach (string name in new[] { "with space.txt", "hash#1.txt", "percent%41%2F.txt", "question?.txt", "ünïcødé €.txt", "日本語 #%? mix.bin", "quote\"d.txt", "+plus&amp=x;.txt" })
            {
                data.Add(protocol, name);
            }
        }
        return data;
    }

    [Theory, AllProtocols]
    public async Task An_empty_file_round_trips(SandboxProtocol protocol)
    {
        await RoundTripAsync(protocol, "empty.bin", 0);
    }

    [Theory, AllProtocols]
    public async Task A_100_MB_file_round_trips_with_the_same_hash(SandboxProtocol protocol)
    {
        await RoundTripAsync(protocol, "big.bin", 100L * 1024 * 1024);
    }

    [Theory, MemberData(nameof(Names))]
    public async Task Awkward_names_round_trip(SandboxProtocol protocol, string name)
    {
        await RoundTripAsync(protocol, name, 1000 + name.Length);
    }

    [Theory, AllProtocols]
    public async Task A_stream_round_trips_and_progress_ends_at_the_length(SandboxProtocol protocol)
    {
        byte[] content = new byte[3 * 1024 * 1024 + 7];
        new Random(5).NextBytes(content);
        string remote = Path.Combine(agent.NewFolder("stream"), "deep", "er", "s.bin"); // parents are created
        using SandboxClient client = agent.CreateClient(protocol);
        var sent = new RecordingProgress<long>();
        var received = new RecordingProgress<long>();

        SandboxUploadResult upload = await client.Transfer.UploadAsync(new MemoryStream(content), remote, new SandboxUploadOptions { ComputeSha256 = true }, sent);
        var copy = new MemoryStream();
        SandboxDownloadResult download = await client.Transfer.DownloadAsync(remote, copy, Hashed, received);

        Assert.Equal(content, copy.ToArray());
        Assert.Equal(content.LongLength, upload.Length);
        Assert.Equal(TransferFiles.Sha256(content), upload.Sha256);
        Assert.Equal(TransferFiles.Sha256(content), download.Sha256);
        Assert.Equal(content.LongLength, sent.Values[^1]);
        Assert.Equal(content.LongLength, received.Values[^1]);
        Assert.Equal(sent.Values.Order(), sent.Values);
        Assert.Equal(received.Values.Order(), received.Values);
        Assert.Equal(0, download.ResumeCount);
        Assert.NotNull(download.ETag);
        Assert.Empty(TransferFiles.StagingFiles(Path.GetDirectoryName(remote)!));
    }

    [Theory, AllProtocols]
    public async Task An_unseekable_source_is_sent_chunked(SandboxProtocol protocol)
    {
        string remote = Path.Combine(agent.NewFolder("chunked"), "c.txt");
        using SandboxClient client = agent.CreateClient(protocol);
        var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        var reader = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, pipe.ClientSafePipeHandle);
        Task writer = Task.Run(async () =>
        {
            await using (pipe)
            {
                for (int i = 0; i < 100; i++)
                {
                    await pipe.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"line {i}\n"));
                }
            }
        });

        SandboxUploadResult result = await client.Transfer.UploadAsync(reader, remote);
        await writer;

        string expected = string.Concat(Enumerable.Range(0, 100).Select(i => $"line {i}\n"));
        Assert.Equal(expected, await File.ReadAllTextAsync(remote));
        Assert.Equal(expected.Length, result.Length);
    }

    [Theory, AllProtocols]
    public async Task OpenRead_streams_lines_lazily_and_disposing_it_ends_the_request(SandboxProtocol protocol)
    {
        string remote = Path.Combine(agent.NewFolder("open-read"), "lines.txt");
        await File.WriteAllLinesAsync(remote, Enumerable.Range(0, 200_000).Select(i => $"line {i} ü"));
        using SandboxClient client = agent.CreateClient(protocol);

        string? first;
        await using (Stream stream = await client.Transfer.OpenReadAsync(remote))
        using (var reader = new StreamReader(stream))
        {
            first = await reader.ReadLineAsync();
            Assert.Equal("line 1 ü", await reader.ReadLineAsync());
        }

        Assert.Equal("line 0 ü", first);
        // The connection is free again: the next call on the same client works at once.
        await using Stream again = await client.Transfer.OpenReadAsync(remote);
        using var all = new StreamReader(again);
        Assert.Equal(200_000, (await all.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Hashes_are_only_computed_when_asked_for()
    {
        string remote = Path.Combine(agent.NewFolder("no-hash"), "n.txt");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        SandboxUploadResult upload = await client.Transfer.UploadAsync(new MemoryStream([1, 2, 3]), remote);
        SandboxDownloadResult download = await client.Transfer.DownloadAsync(remote, new MemoryStream());

        Assert.Null(upload.Sha256);
        Assert.Null(download.Sha256);
        Assert.Equal(3, download.Length);
    }

    [Theory, AllProtocols]
    public async Task An_upload_whose_content_does_not_match_the_expected_hash_changes_nothing(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("up-hash");
        string remote = Path.Combine(folder, "keep.txt");
        await File.WriteAllTextAsync(remote, "old");
        using SandboxClient client = agent.CreateClient(protocol);

        var error = await Assert.ThrowsAsync<ScaleBox.Sandbox.Client.Errors.SandboxException>(() => client.Transfer.UploadAsync(
            new MemoryStream([1, 2, 3]), remote, new SandboxUploadOptions { ExpectedSha256 = new string('a', 64) }));

        Assert.Equal(ScaleBox.Sandbox.Client.Errors.SandboxErrorCode.DataLoss, error.Code);
        Assert.Equal(remote, error.Target);
        Assert.Equal("old", await File.ReadAllTextAsync(remote));
        Assert.Equal([remote], Directory.GetFileSystemEntries(folder));
    }

    async Task RoundTripAsync(SandboxProtocol protocol, string name, long length)
    {
        string source = TransferFiles.WriteRandom(_files.PathOf(Guid.NewGuid().ToString("N") + ".src"), length);
        string expected = TransferFiles.Sha256(source);
        string remoteFolder = agent.NewFolder("round-trip");
        string remote = Path.Combine(remoteFolder, name);
        string back = _files.PathOf(Guid.NewGuid().ToString("N") + "-" + name);
        using SandboxClient client = agent.CreateClient(protocol, timeout: TimeSpan.FromSeconds(60));

        SandboxUploadResult upload = await client.Transfer.UploadFileAsync(source, remote, new SandboxUploadOptions { ExpectedSha256 = expected });
        SandboxDownloadResult download = await client.Transfer.DownloadFileAsync(remote, back, options: Hashed);

        Assert.Equal(remote, upload.Path);
        Assert.Equal(name, upload.Name);
        Assert.Equal(length, upload.Length);
        Assert.Equal(expected, upload.Sha256);
        Assert.Equal(expected, TransferFiles.Sha256(remote)); // what the agent wrote
        Assert.Equal(length, download.Length);
        Assert.Equal(expected, download.Sha256);
        Assert.Equal(expected, TransferFiles.Sha256(back));
        Assert.Equal(back, download.LocalPath);
        Assert.Equal([remote], Directory.GetFileSystemEntries(remoteFolder)); // no staging file left
        Assert.Empty(TransferFiles.StagingFiles(_files.Root));
    }

    public void Dispose() => _files.Dispose();
}
