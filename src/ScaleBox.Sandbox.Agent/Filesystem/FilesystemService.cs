using System.Globalization;
using Grpc.Core;
using ScaleBox.Sandbox.Agent.Processes;
using ScaleBox.Sandbox.Agent.Watch;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>
/// The unary Filesystem RPCs on the real file system, with the real agent's semantics:
/// depth 0 lists one level, listed paths keep the requested prefix, MakeDir and Move create
/// parents, Remove is recursive and treats a missing path as done. Directory watching is done by
/// the Watch folder: a stream per WatchDir call, and polled watchers kept by id.
/// </summary>
public sealed class FilesystemService(PathResolver paths, EntryInfoReader entries, WatcherRegistry watchers) : Protocol.Filesystem.FilesystemBase
{
    static readonly WatchDirResponse WatchStarted = new() { Start = new WatchDirResponse.Types.StartEvent() };
    static readonly WatchDirResponse WatchKeepalive = new() { Keepalive = new WatchDirResponse.Types.KeepAlive() };

    public override Task<StatResponse> Stat(StatRequest request, ServerCallContext context)
    {
        string path = paths.Resolve(request.Path);
        EntryInfo entry = entries.TryRead(path, path, out int errno) ?? throw StatFailed("lstat", path, errno);
        return Task.FromResult(new StatResponse { Entry = entry });
    }

    public override Task<ListDirResponse> ListDir(ListDirRequest request, ServerCallContext context)
    {
        uint depth = request.Depth == 0 ? 1 : request.Depth;
        string path = paths.Resolve(request.Path);
        UnixStat stat = UnixStat.TryRead(path, followSymlink: true, out int errno) ?? throw errno switch
        {
            UnixStat.TooManyLinks => new RpcException(new Status(StatusCode.InvalidArgument, $"cyclic symlink or chain >255 links at \"{path}\"")),
            _ => StatFailed("stat", path, errno),
        };
        if (stat.Type != UnixStat.Directory)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"path is not a directory: {path}"));
        }

        var response = new ListDirResponse();
        Walk(path, depth, response.Entries, context.CancellationToken);
        return Task.FromResult(response);
    }

    public override Task<MakeDirResponse> MakeDir(MakeDirRequest request, ServerCallContext context)
    {
        string path = paths.Resolve(request.Path);
        if (UnixStat.TryRead(path, followSymlink: true, out int errno) is { } existing)
        {
            throw existing.Type == UnixStat.Directory
                ? new RpcException(new Status(StatusCode.AlreadyExists, $"directory already exists: {path}"))
                : new RpcException(new Status(StatusCode.InvalidArgument, $"path already exists but it is not a directory: {path}"));
        }

        if (errno != UnixStat.NoSuchFile)
        {
            throw StatFailed("stat", path, errno);
        }

        Directory.CreateDirectory(path);
        return Task.FromResult(new MakeDirResponse { Entry = entries.TryRead(path, path) ?? throw NotFound(path) });
    }

    public override Task<MoveResponse> Move(MoveRequest request, ServerCallContext context)
    {
        string source = paths.Resolve(request.Source);
        string destination = paths.Resolve(request.Destination);

        // As the real agent: the destination's parents first, then Go's os.Rename (a file replaces a
        // file, nothing replaces a directory), its errors as Go words them.
        if (Path.GetDirectoryName(destination) is { } parent)
        {
            Directory.CreateDirectory(parent);
        }
        int errno = UnixRename.TryRename(source, destination);
        if (errno != 0)
        {
            string failure = $"rename {source} {destination}: {LibC.Describe(errno)}";
            throw errno == UnixStat.NoSuchFile
                ? new RpcException(new Status(StatusCode.NotFound, "source file not found: " + failure))
                : new RpcException(new Status(StatusCode.Internal, "error renaming: " + failure));
        }
        return Task.FromResult(new MoveResponse { Entry = entries.TryRead(destination, destination) ?? throw NotFound(destination) });
    }

    public override Task<RemoveResponse> Remove(RemoveRequest request, ServerCallContext context)
    {
        string path = paths.Resolve(request.Path);
        switch (UnixStat.TryRead(path, followSymlink: false)?.Type)
        {
            case null:
                break; // already gone: the real agent treats that as success
            case UnixStat.Directory:
                Directory.Delete(path, recursive: true);
                break;
            default:
                File.Delete(path); // files and symlinks alike; a link's target is left alone
                break;
        }
        return Task.FromResult(new RemoveResponse());
    }

    /// <summary>
    /// The start event once the kernel watches are in place, then events as they happen, with
    /// keepalives while idle. Ends when the folder goes away, or with resource_exhausted when the
    /// kernel dropped events; a client that leaves ends the watch and frees its kernel watches.
    /// </summary>
    public override async Task WatchDir(WatchDirRequest request, IServerStreamWriter<WatchDirResponse> responseStream, ServerCallContext context)
    {
        TimeSpan keepalive = KeepalivePolicy.From(context);
        string path = WatchTarget.Resolve(paths, request.Path);
        var stream = new WatchStream(path);
        using DirectoryWatch watch = DirectoryWatch.Start(path, request.Recursive, stream);
        await responseStream.WriteAsync(WatchStarted);
        await EventStreamer.CopyAsync(stream.Events, responseStream, WatchKeepalive, keepalive, context.CancellationToken);
    }

    public override Task<CreateWatcherResponse> CreateWatcher(CreateWatcherRequest request, ServerCallContext context)
    {
        string path = WatchTarget.Resolve(paths, request.Path);
        return Task.FromResult(new CreateWatcherResponse { WatcherId = watchers.Create(path, request.Recursive) });
    }

    /// <summary>The events since the last drain, oldest first; what was lost is said in <see cref="WatcherHeaders"/>.</summary>
    public override async Task<GetWatcherEventsResponse> GetWatcherEvents(GetWatcherEventsRequest request, ServerCallContext context)
    {
        WatcherDrain drain = watchers.Drain(request.WatcherId);
        var lost = new Metadata();
        if (drain.Dropped > 0) lost.Add(WatcherHeaders.DroppedEvents, drain.Dropped.ToString(CultureInfo.InvariantCulture));
        if (drain.Overflowed) lost.Add(WatcherHeaders.Overflow, "true");
        if (lost.Count > 0)
        {
            await context.WriteResponseHeadersAsync(lost);
        }
        return new GetWatcherEventsResponse { Events = { drain.Events } };
    }

    public override Task<RemoveWatcherResponse> RemoveWatcher(RemoveWatcherRequest request, ServerCallContext context)
    {
        watchers.Remove(request.WatcherId);
        return Task.FromResult(new RemoveWatcherResponse());
    }

    /// <summary>Depth-first, names in ordinal order, symlinks not followed; entries that vanish mid-walk are skipped.</summary>
    void Walk(string directory, uint depthLeft, ICollection<EntryInfo> into, CancellationToken cancellation)
    {
        string[] children;
        try
        {
            children = Directory.GetFileSystemEntries(directory);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }
        Array.Sort(children, StringComparer.Ordinal);

        foreach (string child in children)
        {
            cancellation.ThrowIfCancellationRequested();
            if (entries.TryRead(child, child) is not { } entry)
            {
                continue;
            }
            into.Add(entry);
            bool isRealDirectory = entry.Type == FileType.Directory && !entry.HasSymlinkTarget;
            if (depthLeft > 1 && isRealDirectory)
            {
                Walk(child, depthLeft - 1, into, cancellation);
            }
        }
    }

    /// <summary>
    /// A stat that failed: a missing path is not_found; anything else (a path below a file, ENOTDIR;
    /// no permission on a folder on the way) is internal, as the real agent answers it.
    /// </summary>
    static RpcException StatFailed(string call, string path, int errno) => errno == UnixStat.NoSuchFile
        ? NotFound(path)
        : new RpcException(new Status(StatusCode.Internal, $"error getting file info: {call} {path}: {LibC.Describe(errno)}"));

    static RpcException NotFound(string path) => new(new Status(StatusCode.NotFound, $"path not found: {path}"));
}
