using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Agent.Processes;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;
using FilesystemClient = ScaleBox.Sandbox.Protocol.Filesystem.FilesystemClient;

namespace ScaleBox.Sandbox.Tests.Agent.Watch;

/// <summary>A raw generated Filesystem client on a real channel to the agent (see <see cref="ProcessRpc"/>), with the watch calls' helpers.</summary>
sealed class WatchRpc : IDisposable
{
    readonly ProcessRpc _rpc;

    public WatchRpc(LocalAgentFixture agent, SandboxProtocol protocol)
    {
        _rpc = new ProcessRpc(agent, protocol);
        Client = new FilesystemClient(_rpc.Channel);
    }

    public FilesystemClient Client { get; }

    public CallOptions Options(int? keepaliveSeconds = null, CancellationToken cancellationToken = default) =>
        _rpc.Options(ProcessRpc.Patience, keepaliveSeconds, cancellationToken);

    /// <summary>Starts a watch and reads its first event, which must be start.</summary>
    public async Task<AsyncServerStreamingCall<WatchDirResponse>> WatchAsync(string path, bool recursive = false, int? keepaliveSeconds = null, CancellationToken cancellationToken = default)
    {
        var call = Client.WatchDir(new WatchDirRequest { Path = path, Recursive = recursive }, _rpc.Options(TimeSpan.FromMinutes(2), keepaliveSeconds, cancellationToken));
        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token), "the watch ended before its start event");
        Assert.Equal(WatchDirResponse.EventOneofCase.Start, call.ResponseStream.Current.EventCase);
        return call;
    }

    /// <summary>Reads filesystem events (keepalives skipped) until <paramref name="done"/> holds for what was read; fails after the patience.</summary>
    public static async Task<List<FilesystemEvent>> ReadUntilAsync(IAsyncStreamReader<WatchDirResponse> stream, Func<List<FilesystemEvent>, bool> done)
    {
        var seen = new List<FilesystemEvent>();
        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        while (!done(seen))
        {
            Assert.True(await stream.MoveNext(timeout.Token), "the watch ended early; saw: " + Describe(seen));
            if (stream.Current.EventCase == WatchDirResponse.EventOneofCase.Filesystem)
            {
                seen.Add(stream.Current.Filesystem);
            }
        }
        return seen;
    }

    /// <summary>Makes a new empty file that inotify reports as one CREATE (File.Create would also truncate it: a WRITE).</summary>
    public static void MakeEmptyFile(string path) => File.Open(path, FileMode.CreateNew).Dispose();

    public static bool Has(List<FilesystemEvent> events, string name, EventType type) =>
        events.Any(e => e.Name == name && e.Type == type);

    public static string Describe(IEnumerable<FilesystemEvent> events) => string.Join(", ", events.Select(e => $"{e.Type} {e.Name}"));

    public async Task<string> CreateWatcherAsync(string path, bool recursive = false) =>
        (await Client.CreateWatcherAsync(new CreateWatcherRequest { Path = path, Recursive = recursive }, Options())).WatcherId;

    /// <summary>One drain: the events and the response headers that say what was lost.</summary>
    public async Task<(List<FilesystemEvent> Events, Metadata Headers)> DrainAsync(string id)
    {
        using var call = Client.GetWatcherEventsAsync(new GetWatcherEventsRequest { WatcherId = id }, Options());
        GetWatcherEventsResponse response = await call.ResponseAsync;
        return ([.. response.Events], await call.ResponseHeadersAsync);
    }

    public async Task RemoveWatcherAsync(string id) =>
        await Client.RemoveWatcherAsync(new RemoveWatcherRequest { WatcherId = id }, Options());

    public void Dispose() => _rpc.Dispose();
}
