using System.Text;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;
using ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// A file read as a stream (Get-SbxContent) or by its end (-Tail) whose connection stays open but
/// sends nothing more: the read fails once it has waited the session's timeout for bytes, instead
/// of waiting as long as the connection lives. The reader's own pauses between reads do not count.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class StalledReadTests(LocalAgentFixture agent)
{
    static readonly TimeSpan Allowance = TimeSpan.FromSeconds(1);
    // Far above the allowance: the code before this bound waited for as long as the proxy lived.
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_stream_whose_bytes_stop_coming_fails_with_DeadlineExceeded()
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("stalled-read"), "big.bin"), 1024 * 1024, seed: 5);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.StallResponse(1, 100_000, countFromBody: true);
        using SandboxClient client = agent.CreateClientThrough(proxy, timeout: Allowance);

        await using Stream stream = await client.Transfer.OpenReadAsync(remote);
        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => stream.CopyToAsync(Stream.Null).WaitAsync(Bound));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Equal(remote, error.Target);
        Assert.Contains("sent nothing more for 1 s (the session's timeout)", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, proxy.ConnectionCount);
    }

    [Fact]
    public async Task The_readers_own_pause_between_reads_is_not_a_stall()
    {
        string remote = TransferFiles.WriteRandom(Path.Combine(agent.NewFolder("paused-read"), "big.bin"), 1024 * 1024, seed: 6);
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb, timeout: Allowance);

        await using Stream stream = await client.Transfer.OpenReadAsync(remote);
        var read = new MemoryStream();
        var first = new byte[64 * 1024];
        int got = await stream.ReadAsync(first);
        read.Write(first, 0, got);
        // A pipeline downstream busy for longer than the allowance: the body waits in the socket.
        await Task.Delay(Allowance * 2.5);
        await stream.CopyToAsync(read).WaitAsync(Bound);

        Assert.Equal(TransferFiles.Sha256(remote), TransferFiles.Sha256(read.ToArray()));
    }

    [Fact]
    public async Task The_end_of_a_file_read_for_its_last_lines_fails_with_DeadlineExceeded_when_it_stalls()
    {
        string remote = Path.Combine(agent.NewFolder("stalled-tail"), "log.txt");
        await File.WriteAllTextAsync(remote, string.Concat(Enumerable.Range(1, 20_000).Select(i => $"line {i}\n")), Encoding.UTF8);
        await using var proxy = new ConnectionCuttingProxy(agent.HttpAddress.Port);
        proxy.StallResponse(1, 1000, countFromBody: true);
        using SandboxClient client = agent.CreateClientThrough(proxy, timeout: Allowance);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.ReadLastLinesAsync(remote, 10).WaitAsync(Bound));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Equal(remote, error.Target);
    }
}
