using System.Runtime.InteropServices;
using ScaleBox.Sandbox.Agent.Processes;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>
/// One inotify instance watching a folder (and, when recursive, every folder under it), with a
/// dedicated thread that drains the descriptor through a large buffer as fast as the kernel fills
/// it and hands the events, named relative to the watched folder, to a sink in order.
/// Disposing it closes the descriptor, which removes all of its kernel watches at once.
/// </summary>
sealed class DirectoryWatch : IDisposable
{
    /// <summary>
    /// Large enough to take the kernel's whole default queue (16384 events of 16-272 bytes) in a few
    /// reads, so a burst is moved out of the kernel quickly instead of overflowing it.
    /// </summary>
    const int ReadBufferSize = 1 << 20;

    const uint FolderMask = Inotify.WatchMask | Inotify.IN_ONLYDIR | Inotify.IN_DONT_FOLLOW;

    readonly int _fd;
    readonly int _wakeFd;
    readonly string _root;
    readonly bool _recursive;
    readonly IWatchSink _sink;
    readonly CancellationTokenSource _stop = new();
    readonly Thread _reader;
    /// <summary>Watch descriptor to folder path relative to the root ("" for the root). Reader thread only, once started.</summary>
    readonly Dictionary<int, string> _folders = [];
    int _rootWd;
    int _disposed;

    DirectoryWatch(int fd, int wakeFd, string root, bool recursive, IWatchSink sink)
    {
        _fd = fd;
        _wakeFd = wakeFd;
        _root = root;
        _recursive = recursive;
        _sink = sink;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "inotify " + root };
    }

    /// <summary>
    /// Watches <paramref name="root"/>, an existing directory, and (recursive) the folders under it
    /// as they are now; folders made later are added as they appear. Events start flowing at once.
    /// </summary>
    public static DirectoryWatch Start(string root, bool recursive, IWatchSink sink)
    {
        int fd = Inotify.inotify_init1(Inotify.IN_NONBLOCK | Inotify.IN_CLOEXEC);
        if (fd < 0)
        {
            throw InotifyLimits.InitFailed(Marshal.GetLastPInvokeError());
        }
        int wakeFd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        if (wakeFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.CloseQuietly(fd);
            throw new IOException($"cannot watch {root}: eventfd: {LibC.Describe(errno)}");
        }

        var watch = new DirectoryWatch(fd, wakeFd, root, recursive, sink);
        try
        {
            // The watched folder may be named through a symbolic link, which the real agent follows;
            // links found under it are not entered.
            watch._rootWd = watch.AddFolder(root, "", followLink: true) ?? throw InotifyLimits.AddFailed(root, Marshal.GetLastPInvokeError());
            if (recursive)
            {
                watch.AddSubfolders(root, "", announce: false);
            }
        }
        catch
        {
            LibC.CloseQuietly(fd);
            LibC.CloseQuietly(wakeFd);
            throw;
        }
        watch._reader.Start();
        return watch;
    }

    /// <summary>Adds a kernel watch on one folder; null when it failed (errno left for the caller).</summary>
    int? AddFolder(string fullPath, string relative, bool followLink = false)
    {
        int wd = Inotify.inotify_add_watch(_fd, fullPath, followLink ? FolderMask & ~Inotify.IN_DONT_FOLLOW : FolderMask);
        if (wd < 0)
        {
            return null;
        }
        // A folder moved within the tree keeps its descriptor: the kernel returns the same wd, and
        // this rebinds it to the new name.
        _folders[wd] = relative;
        return wd;
    }

    /// <summary>
    /// Watches every folder under <paramref name="fullPath"/>. With <paramref name="announce"/> (a
    /// folder made or moved in while watching) each entry found is reported as CREATE: they may
    /// have been made before the folder's own watch existed, and would otherwise go unseen. An
    /// entry made in the instant between the two can so be reported twice.
    /// </summary>
    void AddSubfolders(string fullPath, string relative, bool announce, CancellationToken stopping = default)
    {
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // gone again, or not ours to read: nothing under it can be watched
        }
        Array.Sort(entries, StringComparer.Ordinal);

        foreach (string entry in entries)
        {
            string name = Path.GetFileName(entry);
            string childRelative = relative.Length == 0 ? name : relative + "/" + name;
            if (announce)
            {
                _sink.Deliver(new FilesystemEvent { Name = childRelative, Type = EventType.Create }, stopping);
            }
            bool isFolder = UnixStatIsRealDirectory(entry);
            if (isFolder)
            {
                // At start a full watch table fails the call, naming the limit; once watching there is
                // no one to tell, so a folder that cannot be watched is reported (CREATE) but not entered.
                int? wd = AddFolder(entry, childRelative);
                if (wd is null && !announce && Marshal.GetLastPInvokeError() == Inotify.ENOSPC)
                {
                    throw InotifyLimits.AddFailed(entry, Inotify.ENOSPC);
                }
                if (wd is not null)
                {
                    AddSubfolders(entry, childRelative, announce, stopping);
                }
            }
        }
    }

    static bool UnixStatIsRealDirectory(string path) =>
        Filesystem.UnixStat.TryRead(path, followSymlink: false)?.Type == Filesystem.UnixStat.Directory;

    void ReadLoop()
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(ReadBufferSize, pinned: true);
        var fds = new LibC.PollFd[]
        {
            new() { Fd = _fd, Events = LibC.POLLIN },
            new() { Fd = _wakeFd, Events = LibC.POLLIN },
        };
        CancellationToken stopping = _stop.Token;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                fds[0].REvents = fds[1].REvents = 0;
                if (LibC.poll(fds, 2, -1) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LibC.EINTR) continue;
                    return;
                }
                if (fds[1].REvents != 0)
                {
                    return; // Dispose woke us
                }
                nint count = LibC.read(_fd, ref buffer[0], buffer.Length);
                if (count < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno is LibC.EINTR or LibC.EAGAIN) continue;
                    return;
                }
                foreach (InotifyRecord record in InotifyRecord.ParseAll(buffer.AsSpan(0, (int)count)))
                {
                    Handle(record, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // stopped while a sink was waiting for room
        }
        finally
        {
            _sink.Ended();
        }
    }

    /// <summary>
    /// Delivers one record's events. The watch goes on after its folder is gone (the stream with
    /// keepalives, a polled watcher until removed or expired), as the real agent's does.
    /// </summary>
    void Handle(InotifyRecord record, CancellationToken stopping)
    {
        if (record.Is(Inotify.IN_Q_OVERFLOW))
        {
            _sink.Overflowed();
            return;
        }
        if (!_folders.TryGetValue(record.Wd, out string? folder))
        {
            return; // a watch already forgotten
        }
        if (record.Is(Inotify.IN_IGNORED))
        {
            // The kernel dropped a watch (its folder is gone). As the real agent, a watch whose own
            // folder is gone stays open, with nothing more to report but keepalives.
            _folders.Remove(record.Wd);
            return;
        }
        if (record.Name.Length == 0)
        {
            if (record.Wd == _rootWd)
            {
                // The watched folder itself, which fsnotify names by the watched path: "." for the
                // real agent. Moved away, it is no longer watched (fsnotify drops its watch).
                foreach (EventType type in WatchEventTypes.Of(record.Mask))
                {
                    _sink.Deliver(new FilesystemEvent { Name = ".", Type = type }, stopping);
                }
                if (record.Is(Inotify.IN_MOVE_SELF))
                {
                    Forget("");
                }
            }
            // A folder under it: its parent reports it by name.
            return;
        }

        string name = folder.Length == 0 ? record.Name : folder + "/" + record.Name;
        foreach (EventType type in WatchEventTypes.Of(record.Mask))
        {
            _sink.Deliver(new FilesystemEvent { Name = name, Type = type }, stopping);
        }

        if (_recursive && record.Is(Inotify.IN_ISDIR))
        {
            if (record.Is(Inotify.IN_CREATE | Inotify.IN_MOVED_TO))
            {
                string fullPath = Path.Combine(_root, name);
                if (AddFolder(fullPath, name) is not null)
                {
                    AddSubfolders(fullPath, name, announce: true, stopping);
                }
            }
            else if (record.Is(Inotify.IN_MOVED_FROM))
            {
                Forget(name); // moved out, or renamed: a rename's IN_MOVED_TO adds it back under its new name
            }
        }
    }

    /// <summary>Removes the watches of a folder and everything under it that left the tree (by name; "" for all).</summary>
    void Forget(string relative)
    {
        string prefix = relative + "/";
        foreach (var (wd, folder) in _folders.ToArray())
        {
            if (relative.Length == 0 || folder == relative || folder.StartsWith(prefix, StringComparison.Ordinal))
            {
                Inotify.inotify_rm_watch(_fd, wd);
                _folders.Remove(wd);
            }
        }
    }

    /// <summary>Stops the reader and closes the descriptor; safe from any thread, and more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stop.Cancel();
        byte[] one = BitConverter.GetBytes(1UL);
        LibC.write(_wakeFd, ref one[0], one.Length);
        if (Thread.CurrentThread != _reader && _reader.IsAlive)
        {
            _reader.Join();
        }
        LibC.CloseQuietly(_fd);
        LibC.CloseQuietly(_wakeFd);
        _stop.Dispose();
    }
}
