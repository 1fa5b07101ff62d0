using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>
/// The inotify(7) calls and constants, used directly rather than through FileSystemWatcher so that
/// the agent owns the read buffer and sees the kernel's queue overflow (IN_Q_OVERFLOW).
/// </summary>
static class Inotify
{
    const string Lib = "libc";

    public const int IN_NONBLOCK = 0x800;
    public const int IN_CLOEXEC = 0x80000;

    public const uint IN_MODIFY = 0x2;
    public const uint IN_ATTRIB = 0x4;
    public const uint IN_MOVED_FROM = 0x40;
    public const uint IN_MOVED_TO = 0x80;
    public const uint IN_CREATE = 0x100;
    public const uint IN_DELETE = 0x200;
    public const uint IN_DELETE_SELF = 0x400;
    public const uint IN_MOVE_SELF = 0x800;
    public const uint IN_Q_OVERFLOW = 0x4000;
    public const uint IN_IGNORED = 0x8000;
    public const uint IN_ONLYDIR = 0x01000000;
    public const uint IN_DONT_FOLLOW = 0x02000000;
    public const uint IN_ISDIR = 0x40000000;

    /// <summary>
    /// The events fsnotify (and so the real agent) asks for. IN_CLOSE_WRITE is left out as it is
    /// there: a write is reported by IN_MODIFY, and a close would report it a second time.
    /// </summary>
    public const uint WatchMask = IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
        | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;

    /// <summary>Size of struct inotify_event without its name: wd, mask, cookie, len.</summary>
    public const int HeaderSize = 16;

    public const int EMFILE = 24;
    public const int ENOSPC = 28;
    public const int ENOENT = 2;
    public const int ENOTDIR = 20;

    [DllImport(Lib, SetLastError = true)]
    public static extern int inotify_init1(int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int inotify_add_watch(int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mask);

    [DllImport(Lib, SetLastError = true)]
    public static extern int inotify_rm_watch(int fd, int wd);
}
