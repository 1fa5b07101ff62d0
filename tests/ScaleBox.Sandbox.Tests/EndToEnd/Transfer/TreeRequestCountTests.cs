using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// What a tree copied file by file costs in requests, as the agent's Kestrel saw them: each file two
/// into the sandbox (the upload to a staging name and the rename) and one out of it, besides one
/// look at the destination (its Stat and listing, side by side) and one MakeDir per folder. Each request is a round trip on a real network.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class TreeRequestCountTests(LocalAgentFixture agent) : IDisposable
{
    const string Stat = "/sandboxagent.Filesystem/Stat";
    const string ListDir = "/sandboxagent.Filesystem/ListDir";
    const string MakeDir = "/sandboxagent.Filesystem/MakeDir";
    const string Move = "/sandboxagent.Filesystem/Move";

    readonly TransferFiles _files = new();

    [Fact]
    public async Task A_tree_of_small_files_costs_two_requests_a_file_up_and_one_down()
    {
        const int fileCount = 40;
        string local = _files.NewAwkwardTree("counted", fileCount, largest: 4096);
        string remote = Path.Combine(agent.NewFolder("counted-up"), "copy");
        string back = Path.Combine(_files.NewFolder("counted-back"), "tree");
        int folders = TransferFiles.TreeFolders(local).Length;
        var options = new SandboxTreeCopyOptions { MaxParallelFiles = 8, Packing = SandboxTreePacking.Never };
        // One log from before the client connects: it knows a connection's requests from its start.
        using var log = new ServedRequestLog(agent.HttpAddress.Port);
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        string[] up = await RoutesOfAsync(log, () => client.Transfer.UploadDirectoryAsync(local, remote, options));
        string[] down = await RoutesOfAsync(log, () => client.Transfer.DownloadDirectoryAsync(remote, back, options));

        Assert.Equal(TransferFiles.TreeHashes(local), TransferFiles.TreeHashes(back));
        Assert.Equal(fileCount, up.Count(r => r == "/upload"));
        Assert.Equal(fileCount, up.Count(r => r == Move));
        Assert.Equal(folders + 1, up.Count(r => r == MakeDir)); // the new root and each folder once
        // The destination's Stat and its listing are asked for side by side; the listing of a missing one finds nothing.
        Assert.Equal([ListDir, Stat], up.Where(r => r is not ("/upload" or Move or MakeDir)).Order());
        Assert.Equal(fileCount, down.Count(r => r == "/download"));
        Assert.InRange(down.Count(r => r is Stat or ListDir), 1, 2);
        Assert.Equal(fileCount + down.Count(r => r is Stat or ListDir), down.Length);
    }

    [Fact]
    public async Task A_destination_the_caller_knows_is_missing_is_made_without_looking_at_it()
    {
        string local = _files.NewAwkwardTree("known-missing", 6, largest: 512);
        string remote = Path.Combine(agent.NewFolder("known-missing-up"), "copy");
        int folders = TransferFiles.TreeFolders(local).Length;
        var options = new SandboxTreeCopyOptions { Packing = SandboxTreePacking.Never, DestinationMissing = true };
        using var log = new ServedRequestLog(agent.HttpAddress.Port);
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        string[] up = await RoutesOfAsync(log, () => client.Transfer.UploadDirectoryAsync(local, remote, options));

        Assert.Equal(TransferFiles.TreeHashes(local), TransferFiles.TreeHashes(remote));
        Assert.DoesNotContain(Stat, up);
        Assert.DoesNotContain(ListDir, up);
        Assert.Equal(folders + 1, up.Count(r => r == MakeDir));
    }

    /// <summary>The routes ("/download/home/f" is "/download") the agent served while a copy ran to its end.</summary>
    static async Task<string[]> RoutesOfAsync(ServedRequestLog log, Func<IAsyncEnumerable<SandboxTransferOutcome>> copy)
    {
        int before = log.Requests.Count;
        await foreach (SandboxTransferOutcome outcome in copy())
        {
            Assert.Equal(SandboxTransferStatus.Copied, outcome.Status);
        }
        return log.Requests.Skip(before).Select(r => r.Path.StartsWith("/download/", StringComparison.Ordinal) ? "/download" : r.Path).ToArray();
    }

    public void Dispose() => _files.Dispose();
}
