using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// The few libc calls the process service needs and .NET does not offer: posix_spawn (so that no
/// managed code runs between fork and exec), pipes, poll, wait status, signals and pseudo-terminals.
/// Constants are the Linux (x86-64 and arm64 share them) values.
/// </summary>
static class LibC
{
    const string Lib = "libc";

    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EAGAIN = 11;
    public const int ECHILD = 10;
    public const int EPIPE = 32;
    public const int ESRCH = 3;

    public const int O_RDWR = 0x2;
    public const int O_NOCTTY = 0x100;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    public const int F_GETFL = 3;
    public const int F_SETFL = 4;

    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    public const int P_PID = 1;
    public const int WEXITED = 4;
    public const int WNOHANG = 1;
    public const int WNOWAIT = 0x01000000;

    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGSTOP = 19;

    public const nuint TIOCSWINSZ = 0x5414;

    public const int EFD_CLOEXEC = 0x80000;

    // glibc's opaque spawn types are 80 (file actions) and 336 (attributes) bytes on 64-bit Linux, and a
    // sigset_t is 128; the buffers are generously larger so that no layout change can overrun them.
    public const int SpawnFileActionsSize = 512;
    public const int SpawnAttrSize = 1024;
    public const int SigSetSize = 256;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixel;
        public ushort YPixel;
    }

    [DllImport(Lib, SetLastError = true)]
    public static extern int posix_spawn(out int pid, string path, IntPtr fileActions, IntPtr attributes, IntPtr[] argv, IntPtr[] envp);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_init(IntPtr fileActions);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_destroy(IntPtr fileActions);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_adddup2(IntPtr fileActions, int fd, int newFd);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_addopen(IntPtr fileActions, int fd, string path, int flags, uint mode);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_addchdir_np(IntPtr fileActions, string path);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_addclosefrom_np(IntPtr fileActions, int from);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_init(IntPtr attributes);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_destroy(IntPtr attributes);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_setflags(IntPtr attributes, short flags);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr sigset);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr sigset);

    [DllImport(Lib)]
    public static extern int sigemptyset(IntPtr sigset);

    [DllImport(Lib)]
    public static extern int sigaddset(IntPtr sigset, int signal);

    [DllImport(Lib, SetLastError = true)]
    public static extern int pipe2([Out] int[] fds, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int eventfd(uint initial, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int close(int fd);

    [DllImport(Lib, SetLastError = true)]
    public static extern int fcntl(int fd, int command, int argument);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint read(int fd, ref byte buffer, nint count);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint write(int fd, ref byte buffer, nint count);

    [DllImport(Lib, SetLastError = true)]
    public static extern int poll([In, Out] PollFd[] fds, nuint count, int timeoutMilliseconds);

    /// <summary>siginfo_t is 128 bytes; only waiting matters here, so the buffer is opaque.</summary>
    [DllImport(Lib, SetLastError = true)]
    public static extern int waitid(int idType, int id, byte[] info, int options);

    [DllImport(Lib, SetLastError = true)]
    public static extern int waitpid(int pid, out int status, int options);

    [DllImport(Lib, SetLastError = true)]
    public static extern int kill(int pid, int signal);

    [DllImport(Lib, SetLastError = true)]
    public static extern int posix_openpt(int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int grantpt(int fd);

    [DllImport(Lib, SetLastError = true)]
    public static extern int unlockpt(int fd);

    [DllImport(Lib)]
    public static extern int ptsname_r(int fd, byte[] buffer, nuint length);

    [DllImport(Lib, SetLastError = true)]
    public static extern int ioctl(int fd, nuint request, ref WinSize size);

    /// <summary>The error text as Go prints it: strerror, first letter lower-cased ("no such file or directory").</summary>
    public static string Describe(int errno)
    {
        string text = Marshal.GetPInvokeErrorMessage(errno);
        return text.Length > 1 && char.IsUpper(text[0]) && char.IsLower(text[1])
            ? char.ToLowerInvariant(text[0]) + text[1..]
            : text;
    }

    /// <summary>Closes a descriptor, ignoring errors: used on cleanup paths where nothing can be done about one.</summary>
    public static void CloseQuietly(int fd)
    {
        if (fd >= 0)
        {
            close(fd);
        }
    }
}
