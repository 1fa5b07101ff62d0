using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Agent.Processes;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;
using static ScaleBox.Sandbox.Tests.Agent.Watch.WatchRpc;

namespace ScaleBox.Sandbox.Tests.Agent.Watch;

/// <summary>WatchDir over real sockets: start first, inotify events named relative to the folder, keepalives, errors, and cleanup.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class WatchDirTests(LocalAgentFixture agent)
{
    [Theory, BothProtocols]
    public async Task Create_write_rename_and_remove_are_reported_with_relative_names(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch");
        using var rpc = new WatchRpc(agent, protocol);
        using var call = await rpc.WatchAsync(folder);

        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "hello");
        File.Move(Path.Combine(folder, "a.txt"), Path.Combine(folder, "b.txt"));
        File.Delete(Path.Combine(folder, "b.txt"));

        var events = await ReadUntilAsync(call.ResponseStream, seen => Has(seen, "b.txt", EventType.Remove));
        // One write can be several IN_MODIFY (a truncate, then the bytes): repeats are folded.
        string[] expected = ["Create a.txt", "Write a.txt", "Rename a.txt", "Create b.txt", "Remove b.txt"];
        Assert.Equal(expected, WithoutRepeats(events.Select(e => $"{e.Type} {e.Name}")));
    }

    static List<string> WithoutRepeats(IEnumerable<string> items)
    {
        var folded = new List<string>();
        foreach (string item in items)
        {
            if (folded.Count == 0 || folded[^1] != item) folded.Add(item);
        }
        return folded;
    }

    [Theory, BothProtocols]
    public async Task A_chmod_is_reported(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-chmod");
        string file = Path.Combine(folder, "script.sh");
        await File.WriteAllTextAsync(file, "echo");
        using var rpc = new WatchRpc(agent, protocol);
        using var call = await rpc.WatchAsync(folder);

        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var events = await ReadUntilAsync(call.ResponseStream, seen => seen.Count > 0);
        Assert.Equal("Chmod script.sh", $"{events[0].Type} {events[0].Name}");
    }

    [Theory, BothProtocols]
    public async Task A_recursive_watch_sees_files_in_a_subfolder_made_after_it_began(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-deep");
        using var rpc = new WatchRpc(agent, protocol);
        using var call = await rpc.WatchAsync(folder, recursive: true);

        Directory.CreateDirectory(Path.Combine(folder, "sub", "inner"));
        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "inner", "deep.txt"), "x");
        // Give the new folders' watches a moment, then write again: this one must come by inotify.
        var first = await ReadUntilAsync(call.ResponseStream, seen => Has(seen, "sub/inner/deep.txt", EventType.Create));
        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "later.txt"), "y");
        var second = await ReadUntilAsync(call.ResponseStream, seen => Has(seen, "sub/later.txt", EventType.Write));

        Assert.True(Has(first, "sub", EventType.Create), Describe(first));
        Assert.True(Has(first, "sub/inner", EventType.Create), Describe(first));
        Assert.True(Has(second, "sub/later.txt", EventType.Create), Describe(second));
    }

    [Theory, BothProtocols]
    public async Task A_folder_moved_in_with_files_is_reported_entry_by_entry(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-movein");
        string outside = agent.NewFolder("watch-outside");
        Directory.CreateDirectory(Path.Combine(outside, "pack", "nested"));
        await File.WriteAllTextAsync(Path.Combine(outside, "pack", "nested", "one.txt"), "1");
        using var rpc = new WatchRpc(agent, protocol);
        using var call = await rpc.WatchAsync(folder, recursive: true);

        Directory.Move(Path.Combine(outside, "pack"), Path.Combine(folder, "pack"));

        var events = await ReadUntilAsync(call.ResponseStream, seen => Has(seen, "pack/nested/one.txt", EventType.Create));
        Assert.True(Has(events, "pack", EventType.Create), Describe(events));
        Assert.True(Has(events, "pack/nested", EventType.Create), Describe(events));
    }

    [Theory, BothProtocols]
    public async Task A_plain_watch_does_not_report_inside_subfolders(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-flat");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        using var rpc = new WatchRpc(agent, protocol);
        using var call = await rpc.WatchAsync(folder);

        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "hidden.txt"), "x");
        await File.WriteAllTextAsync(Path.Combine(folder, "marker.txt"), "x");

        var events = await ReadUntilAsync(call.ResponseStream, seen => Has(seen, "marker.txt", EventType.Create));
        Assert.DoesNotContain(events, e => e.Name.Contains("hidden", StringComparison.Ordinal));
    }

    [Theory, BothProtocols]
    public async Task An_idle_watch_sends_keepalives_at_the_asked_interval(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-idle");
        using var rpc = new WatchRpc(agent, protocol);
        using var call = await rpc.WatchAsync(folder, keepaliveSeconds: 1);

        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(WatchDirResponse.EventOneofCase.Keepalive, call.ResponseStream.Current.EventCase);
    }

    [Theory, BothProtocols]
    public async Task A_missing_folder_is_not_found(SandboxProtocol protocol)
    {
        using var rpc = new WatchRpc(agent, protocol);
        string missing = Path.Combine(agent.Home, "no-such-folder-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<RpcException>(() => rpc.WatchAsync(missing));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains(missing, error.Status.Detail);
    }

    [Theory, BothProtocols]
    public async Task A_file_is_invalid_argument(SandboxProtocol protocol)
    {
        string file = Path.Combine(agent.NewFolder("watch-file"), "plain.txt");
        await File.WriteAllTextAsync(file, "x");
        using var rpc = new WatchRpc(agent, protocol);

        var error = await Assert.ThrowsAsync<RpcException>(() => rpc.WatchAsync(file));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Theory, BothProtocols]
    public async Task A_cancelled_watch_frees_its_inotify_watches(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-cancel");
        for (int i = 0; i < 5; i++) Directory.CreateDirectory(Path.Combine(folder, "d" + i));
        int before = InotifyWatches.Count();
        using var rpc = new WatchRpc(agent, protocol);
        using var cancel = new CancellationTokenSource();
        var call = await rpc.WatchAsync(folder, recursive: true, cancellationToken: cancel.Token);

        int during = InotifyWatches.Count();
        cancel.Cancel();
        call.Dispose();
        int after = await InotifyWatches.WaitForAsync(n => n <= before, ProcessRpc.Patience);

        Assert.True(during >= before + 6, $"expected 6 more watches while watching: before {before}, during {during}");
        Assert.True(after <= before, $"the watches were not freed: before {before}, after {after}");
    }

    [Theory, BothProtocols]
    public async Task An_upload_shows_its_hidden_staging_file_renamed_into_place(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-upload");
        using var rpc = new WatchRpc(agent, protocol);
        using var call = await rpc.WatchAsync(folder);
        using var files = new Files.FileEndpointClient(agent);

        using HttpResponseMessage upload = await files.UploadAsync(Path.Combine(folder, "up.txt"), "uploaded"u8.ToArray());
        upload.EnsureSuccessStatusCode();

        // Not filtered: the staging file's own events come first, then its rename to the target.
        var events = await ReadUntilAsync(call.ResponseStream, seen => Has(seen, "up.txt", EventType.Create));
        FilesystemEvent staged = events[0];
        Assert.StartsWith(".sbx-upload-", staged.Name);
        Assert.Equal(EventType.Create, staged.Type);
        Assert.True(Has(events, staged.Name, EventType.Rename), Describe(events));
    }

    [Theory, BothProtocols]
    public async Task The_watched_folder_itself_is_named_dot_and_its_removal_leaves_the_stream_open(SandboxProtocol protocol)
    {
        // As the real agent (fsnotify names the watched folder's own events by the watched path).
        string folder = agent.NewFolder("watch-gone");
        using var rpc = new WatchRpc(agent, protocol);
        using var call = await rpc.WatchAsync(folder, keepaliveSeconds: 1);

        File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.OtherExecute);
        Directory.Delete(folder);
        List<FilesystemEvent> seen = await ReadUntilAsync(call.ResponseStream, seen => Has(seen, ".", EventType.Remove));

        Assert.True(Has(seen, ".", EventType.Chmod), Describe(seen));
        // Then only keepalives: the stream is not ended by the agent.
        using var quiet = new CancellationTokenSource(ProcessRpc.Patience);
        for (int keepalives = 0; keepalives < 2;)
        {
            Assert.True(await call.ResponseStream.MoveNext(quiet.Token));
            Assert.Equal(WatchDirResponse.EventOneofCase.Keepalive, call.ResponseStream.Current.EventCase);
            keepalives++;
        }
    }

    [Fact]
    public async Task A_watched_folder_moved_away_is_a_dot_rename_and_no_longer_watched()
    {
        string holder = agent.NewFolder("watch-moved");
        string folder = Directory.CreateDirectory(Path.Combine(holder, "before")).FullName;
        string after = Path.Combine(holder, "after");
        using var rpc = new WatchRpc(agent, SandboxProtocol.Grpc);
        using var call = await rpc.WatchAsync(folder);

        Directory.Move(folder, after);
        await ReadUntilAsync(call.ResponseStream, seen => Has(seen, ".", EventType.Rename));
        MakeEmptyFile(Path.Combine(after, "later.txt"));

        // A second watch on the holder tells when the kernel has reported the file made after the move.
        using var holderCall = await rpc.WatchAsync(holder);
        MakeEmptyFile(Path.Combine(holder, "marker2"));
        await ReadUntilAsync(holderCall.ResponseStream, seen => Has(seen, "marker2", EventType.Create));
        using var brief = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<Exception>(() => call.ResponseStream.MoveNext(brief.Token));
    }

    [Fact]
    public async Task A_folder_named_through_a_symbolic_link_is_watched()
    {
        string holder = agent.NewFolder("watch-link");
        string real = Directory.CreateDirectory(Path.Combine(holder, "real")).FullName;
        string link = Path.Combine(holder, "link");
        Directory.CreateSymbolicLink(link, real);
        using var rpc = new WatchRpc(agent, SandboxProtocol.Grpc);
        using var call = await rpc.WatchAsync(link);

        MakeEmptyFile(Path.Combine(real, "through.txt"));

        await ReadUntilAsync(call.ResponseStream, seen => Has(seen, "through.txt", EventType.Create));
    }
}
