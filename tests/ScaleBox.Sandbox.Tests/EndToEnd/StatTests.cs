using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

/// <summary>
/// Stat through the client: every EntryInfo field filled, and each one equal to what the operating
/// system says about the same path.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class StatTests(LocalAgentFixture agent)
{
    // Sub-second and not a whole number of microseconds: proves nanoseconds survive the round trip.
    static readonly DateTime KnownWriteTime = new(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc);
    static readonly DateTime KnownWriteTimePrecise = KnownWriteTime.AddTicks(1234567);

    [Theory, AllProtocols]
    public async Task A_file_is_described_fully_and_as_the_OS_sees_it(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("stat-file");
        string path = Path.Combine(folder, "notes.txt");
        await File.WriteAllTextAsync(path, "twelve bytes");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetLastWriteTimeUtc(path, KnownWriteTimePrecise);
        OsFileFacts os = OsFileFacts.Of(path);

        using SandboxClient client = agent.CreateClient(protocol);
        SandboxItem item = await client.Files.GetItemAsync(path);

        Assert.Equal("notes.txt", item.Name);
        Assert.Equal(path, item.Path);
        Assert.Equal(SandboxItemType.File, item.Type);
        Assert.False(item.IsDirectory);
        Assert.Equal(12, item.Length);
        Assert.Equal(0b110_100_100u, item.UnixFileMode); // 0644
        Assert.Equal("-----", item.Mode);
        Assert.Equal(path, item.FullName);
        Assert.Equal("notes", item.BaseName);
        Assert.Equal(".txt", item.Extension);
        Assert.Equal("-rw-r--r--", item.UnixMode);
        Assert.Equal(os.Permissions, item.UnixMode);
        Assert.Equal(os.Owner, item.Owner);
        Assert.Equal(os.Group, item.Group);
        Assert.Equal(new DateTimeOffset(KnownWriteTimePrecise), item.LastWriteTimeUtc);
        Assert.Null(item.LinkTarget);
        Assert.Equal(agent.DomainFor(protocol), item.Domain);
    }

    [Theory, AllProtocols]
    public async Task A_directory_is_described_fully_and_as_the_OS_sees_it(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("stat-dir");
        string path = Path.Combine(folder, "data");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Directory.SetLastWriteTimeUtc(path, KnownWriteTime);
        OsFileFacts os = OsFileFacts.Of(path);

        using SandboxClient client = agent.CreateClient(protocol);
        SandboxItem item = await client.Files.GetItemAsync(path);

        Assert.Equal("data", item.Name);
        Assert.Equal(path, item.Path);
        Assert.Equal(SandboxItemType.Directory, item.Type);
        Assert.True(item.IsDirectory);
        Assert.Null(item.Length); // as a DirectoryInfo has none: "Length -gt 1kb" filters pick files only
        Assert.Equal(0b111_101_101u, item.UnixFileMode); // 0755
        Assert.Equal("d----", item.Mode);
        Assert.Equal("data", item.BaseName);
        Assert.Equal("drwxr-xr-x", item.UnixMode);
        Assert.Equal(os.Permissions, item.UnixMode);
        Assert.Equal(os.Owner, item.Owner);
        Assert.Equal(os.Group, item.Group);
        Assert.Equal(new DateTimeOffset(KnownWriteTime), item.LastWriteTimeUtc);
        Assert.Null(item.LinkTarget);
    }

    [Theory, AllProtocols]
    public async Task A_symlink_to_a_file_is_reported_as_a_file_with_its_target(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("stat-link");
        string target = Path.Combine(folder, "target.bin");
        await File.WriteAllBytesAsync(target, new byte[300]);
        string link = Path.Combine(folder, "shortcut");
        File.CreateSymbolicLink(link, target);

        using SandboxClient client = agent.CreateClient(protocol);
        SandboxItem item = await client.Files.GetItemAsync(link);

        // As the real agent: the type and mode bits are the target's, the rest describes the link.
        Assert.Equal("shortcut", item.Name);
        Assert.Equal(link, item.Path);
        Assert.Equal(SandboxItemType.File, item.Type);
        Assert.Equal(target, item.LinkTarget);
        Assert.Equal(target.Length, item.Length); // the link's own size: the length of its target
        Assert.Equal(OsFileFacts.Of(link).Permissions, item.UnixMode);
        Assert.Equal("l----", item.Mode);
        Assert.Equal((uint)File.GetUnixFileMode(target), item.UnixFileMode);
    }

    [Theory, AllProtocols]
    public async Task A_path_below_a_file_is_NotFound_though_the_agent_answers_internal(SandboxProtocol protocol)
    {
        // The real agent's stat fails with ENOTDIR, which it answers as internal; the client looks
        // at the nearest parent that exists, by status codes, and finds a file.
        string folder = agent.NewFolder("stat-under-file");
        string file = Path.Combine(folder, "plain.txt");
        await File.WriteAllTextAsync(file, "x");
        string below = Path.Combine(file, "deeper", "name");
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync(below));
        SandboxException madeUnder = await Assert.ThrowsAsync<SandboxException>(() => client.Files.CreateDirectoryAsync(Path.Combine(file, "sub")));
        SandboxException listed = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetChildItemsAsync(below));

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Equal(below, error.Target);
        Assert.Contains($"'{file}' is a file", error.Message, StringComparison.Ordinal);
        Assert.Equal($"error getting file info: lstat {below}: not a directory", error.ServerMessage);
        Assert.False(await client.Files.ExistsAsync(below));
        Assert.Equal(SandboxErrorCode.FailedPrecondition, madeUnder.Code);
        Assert.Contains($"Cannot create '{Path.Combine(file, "sub")}'", madeUnder.Message, StringComparison.Ordinal);
        Assert.Equal($"error getting file info: stat {Path.Combine(file, "sub")}: not a directory", madeUnder.ServerMessage);
        Assert.Equal(SandboxErrorCode.NotFound, listed.Code);
        Assert.Contains($"'{file}' is a file", listed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listing_through_a_symlink_loop_is_InvalidArgument()
    {
        string folder = agent.NewFolder("list-loop");
        string loop = Path.Combine(folder, "loop");
        File.CreateSymbolicLink(loop, loop);
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetChildItemsAsync(loop));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
        Assert.Equal($"cyclic symlink or chain >255 links at \"{loop}\"", error.ServerMessage);
    }

    [Fact]
    public async Task A_FIFO_has_no_type_and_special_bits_read_as_ls_writes_them()
    {
        string folder = agent.NewFolder("stat-special");
        string fifo = Path.Combine(folder, "pipe");
        string setuid = Path.Combine(folder, "tool");
        RunOrFail("mkfifo", fifo);
        await File.WriteAllTextAsync(setuid, "#!/bin/sh\n");
        File.SetUnixFileMode(setuid, UnixFileMode.SetUser | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead);
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        SandboxItem pipe = await client.Files.GetItemAsync(fifo);
        SandboxItem tool = await client.Files.GetItemAsync(setuid);

        Assert.Equal(SandboxItemType.Unknown, pipe.Type);
        Assert.Equal(OsFileFacts.Of(fifo).Permissions, pipe.UnixMode);
        Assert.StartsWith("p", pipe.UnixMode, StringComparison.Ordinal);
        Assert.Equal(SandboxItemType.File, tool.Type);
        Assert.Equal(OsFileFacts.Of(setuid).Permissions, tool.UnixMode);
        Assert.Equal("-rws---r--", tool.UnixMode);
    }

    static void RunOrFail(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(program, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [Theory, AllProtocols]
    public async Task A_dangling_symlink_has_neither_type_nor_target(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("stat-dangling");
        string link = Path.Combine(folder, "nowhere");
        File.CreateSymbolicLink(link, Path.Combine(folder, "missing"));

        using SandboxClient client = agent.CreateClient(protocol);
        SandboxItem item = await client.Files.GetItemAsync(link);

        Assert.Equal(SandboxItemType.Unknown, item.Type);
        Assert.Null(item.LinkTarget);
        Assert.Equal(OsFileFacts.Of(link).Permissions, item.UnixMode);
        Assert.Equal("l----", item.Mode);
    }

    [Theory, AllProtocols]
    public async Task A_symlink_to_a_directory_is_reported_as_a_directory_with_its_target(SandboxProtocol protocol)
    {
        string folder = agent.NewFolder("stat-dirlink");
        Directory.CreateDirectory(Path.Combine(folder, "real"));
        string link = Path.Combine(folder, "alias");
        // A relative target is reported resolved, as the real agent's filepath.EvalSymlinks gives it.
        File.CreateSymbolicLink(link, "real");

        using SandboxClient client = agent.CreateClient(protocol);
        SandboxItem item = await client.Files.GetItemAsync(link);

        Assert.Equal(SandboxItemType.Directory, item.Type);
        Assert.Equal(Path.Combine(folder, "real"), item.LinkTarget);
        Assert.Equal("lrwxrwxrwx", item.UnixMode);
    }
}
