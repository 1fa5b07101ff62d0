using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Watch;

[Collection(LocalAgentCollection.Name)]
public sealed class WatchDirTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task Reports_create_write_rename_and_remove_with_names_relative_to_the_directory(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch");
        using SandboxClient client = agent.CreateClient(protocol);
        await using var watch = new WatchFollower(ct => client.Watchers.WatchAsync(folder, cancellationToken: ct));

        SandboxWatchStarted started = await watch.StartedAsync();
        Assert.Equal(folder, started.WatchedPath);
        Assert.False(started.Recursive);

        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "one");
        SandboxFileChange created = await watch.ChangeAsync("a.txt", SandboxChangeType.Create);
        Assert.Equal(Path.Combine(folder, "a.txt"), created.FullPath);
        Assert.Equal(folder, created.WatchedPath);
        await watch.ChangeAsync("a.txt", SandboxChangeType.Write);

        File.Move(Path.Combine(folder, "a.txt"), Path.Combine(folder, "b.txt"));
        await watch.ChangeAsync("a.txt", SandboxChangeType.Rename);
        await watch.ChangeAsync("b.txt", SandboxChangeType.Create);

        File.Delete(Path.Combine(folder, "b.txt"));
        await watch.ChangeAsync("b.txt", SandboxChangeType.Remove);
    }

    [Theory, AllProtocols]
    public async Task A_watch_whose_folder_is_removed_reports_it_and_ends_with_NotFound(SandboxProtocol protocol)
    {
        // The agent keeps the stream open after the folder's own REMOVE ("."); the watch must not wait on it.
        string folder = agent.NewFolder("watch-removed");
        using SandboxClient client = agent.CreateClient(protocol);
        await using var watch = new WatchFollower(ct => client.Watchers.WatchAsync(folder, new SandboxWatchOptions { Reconnect = true }, ct));
        await watch.StartedAsync();

        Directory.Delete(folder);
        SandboxFileChange removed = await watch.ChangeAsync(".", SandboxChangeType.Remove);
        var error = await Assert.ThrowsAsync<SandboxException>(watch.NextAsync);

        Assert.True(removed.IsWatchedFolder);
        Assert.Equal(folder, removed.FullPath);
        Assert.Equal(Path.GetFileName(folder), removed.EntryName);
        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Equal(folder, error.Target);
        Assert.Contains("was removed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_whose_folder_is_moved_away_ends_with_NotFound()
    {
        string holder = agent.NewFolder("watch-moved-away");
        string folder = Directory.CreateDirectory(Path.Combine(holder, "here")).FullName;
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        await using var watch = new WatchFollower(ct => client.Watchers.WatchAsync(folder, cancellationToken: ct));
        await watch.StartedAsync();

        Directory.Move(folder, Path.Combine(holder, "there"));
        await watch.ChangeAsync(".", SandboxChangeType.Rename);
        var error = await Assert.ThrowsAsync<SandboxException>(watch.NextAsync);

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Contains("moved away or renamed", error.Message, StringComparison.Ordinal);
    }

    [Theory, AllProtocols]
    public async Task A_recursive_watch_sees_files_in_a_subfolder_made_after_it_started(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-recursive");
        using SandboxClient client = agent.CreateClient(protocol);
        await using var watch = new WatchFollower(ct => client.Watchers.WatchAsync(folder, new SandboxWatchOptions { Recursive = true }, ct));
        Assert.True((await watch.StartedAsync()).Recursive);

        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        await watch.ChangeAsync("sub", SandboxChangeType.Create);
        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "deep.txt"), "x");

        SandboxFileChange deep = await watch.ChangeAsync("sub/deep.txt", SandboxChangeType.Create);
        Assert.Equal(Path.Combine(folder, "sub", "deep.txt"), deep.FullPath);
    }

    [Theory, AllProtocols]
    public async Task A_path_relative_to_home_is_reported_with_absolute_full_paths(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-home");
        using SandboxClient client = agent.CreateClient(protocol);
        await using var watch = new WatchFollower(ct => client.Watchers.WatchAsync("~/" + Path.GetFileName(folder), cancellationToken: ct));

        Assert.Equal(folder, (await watch.StartedAsync()).WatchedPath);
        await File.WriteAllTextAsync(Path.Combine(folder, "h.txt"), "h");
        Assert.Equal(Path.Combine(folder, "h.txt"), (await watch.ChangeAsync("h.txt", SandboxChangeType.Create)).FullPath);
    }

    [Theory, AllProtocols]
    public async Task A_missing_directory_is_NotFound_and_a_file_is_InvalidArgument(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-bad");
        string file = Path.Combine(folder, "plain.txt");
        await File.WriteAllTextAsync(file, "not a directory");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException missing = await Assert.ThrowsAsync<SandboxException>(() => FirstAsync(client.Watchers.WatchAsync(Path.Combine(folder, "nope"))));
        Assert.Equal(SandboxErrorCode.NotFound, missing.Code);
        Assert.Contains("nope", missing.Message);

        // Reconnecting changes nothing for an answer about the request itself.
        SandboxException notDirectory = await Assert.ThrowsAsync<SandboxException>(
            () => FirstAsync(client.Watchers.WatchAsync(file, new SandboxWatchOptions { Reconnect = true })));
        Assert.Equal(SandboxErrorCode.InvalidArgument, notDirectory.Code);
        Assert.Equal(file, notDirectory.Target);

        SandboxException pollMissing = await Assert.ThrowsAsync<SandboxException>(() => client.Watchers.CreateAsync(Path.Combine(folder, "nope")));
        Assert.Equal(SandboxErrorCode.NotFound, pollMissing.Code);
    }

    [Theory, AllProtocols]
    public async Task Cancelling_ends_the_stream_with_OperationCanceled(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("watch-cancel");
        using SandboxClient client = agent.CreateClient(protocol);
        using var cancel = new CancellationTokenSource();
        await using IAsyncEnumerator<SandboxWatchEvent> events = client.Watchers.WatchAsync(folder, cancellationToken: cancel.Token).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        Assert.IsType<SandboxWatchStarted>(events.Current);

        ValueTask<bool> next = events.MoveNextAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next);
    }

    static async Task<SandboxWatchEvent> FirstAsync(IAsyncEnumerable<SandboxWatchEvent> events)
    {
        await foreach (SandboxWatchEvent e in events)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("The watch ended without an event.");
    }
}
