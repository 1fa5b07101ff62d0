using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Shell;

/// <summary>
/// The local terminal of a Linux or macOS console, driven through libc: raw mode (termios),
/// reading keystrokes as bytes, and the window size.
/// <para>
/// Raw mode is set with cfmakeraw on a copy of the settings tcgetattr returned, so no field of
/// struct termios is ever addressed here (its layout differs between platforms); the saved copy
/// is written back, byte for byte, by <see cref="Dispose"/>, and also when the process exits
/// while raw mode is still on. Keystrokes are read from file descriptor 0 with poll(2) and
/// read(2): .NET's console stream for a terminal's standard input edits lines and echoes, which
/// is exactly what a remote terminal must not get.
/// </para>
/// </summary>
internal sealed class UnixTerminal : IDisposable
{
    const string LibC = "libc";
    const int StdIn = 0;
    const int StdOut = 1;

    // Identical on Linux and macOS.
    const int TCSADRAIN = 1;
    const short POLLIN = 0x1;
    const short POLLERR = 0x8;
    const short POLLHUP = 0x10;
    const short POLLNVAL = 0x20;
    const int EINTR = 4;
    const int LinuxEAGAIN = 11;
    const int MacEAGAIN = 35;

    // Linux (x86-64 and arm64 share it). Not used on macOS: ioctl is variadic, and on Apple arm64
    // variadic arguments do not travel like a P/Invoke's.
    const ulong LinuxTIOCGWINSZ = 0x5413;

    // struct termios is 60 bytes with glibc and musl, 72 on macOS; cfmakeraw and tcsetattr touch
    // only the struct, so a larger buffer is safe.
    const int TermiosBufferSize = 256;

    readonly byte[] _saved;
    int _restored;

    UnixTerminal(byte[] saved)
    {
        _saved = saved;
    }

    /// <summary>Linux and macOS: the platforms whose terminals this class can drive.</summary>
    public static bool IsSupported =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

    /// <summary>
    /// Puts the terminal on standard input in raw mode: no echo, no line editing, no signals from
    /// Ctrl+C, Ctrl+Z or Ctrl+\ (they arrive as bytes), no output processing. Dispose to restore.
    /// </summary>
    /// <exception cref="IOException">Standard input is not a terminal, or its settings cannot be changed.</exception>
    public static UnixTerminal EnterRawMode()
    {
        var saved = new byte[TermiosBufferSize];
        if (tcgetattr(StdIn, saved) != 0)
        {
            throw new IOException($"Cannot read the settings of the terminal on standard input (errno {Marshal.GetLastWin32Error()}).");
        }
        var raw = (byte[])saved.Clone();
        cfmakeraw(raw);
        var terminal = new UnixTerminal(saved);
        // Registered first, so that even a failure halfway through tcsetattr is undone at exit.
        AppDomain.CurrentDomain.ProcessExit += terminal.OnProcessExit;
        if (tcsetattr(StdIn, TCSADRAIN, raw) != 0)
        {
            int errno = Marshal.GetLastWin32Error();
            terminal.Dispose();
            throw new IOException($"Cannot put the terminal in raw mode (errno {errno}).");
        }
        return terminal;
    }

    /// <summary>Puts the saved settings back. Safe to call more than once and from any thread.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _restored, 1) != 0)
        {
            return;
        }
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        // Best effort by nature: there is nothing better to do with a terminal that refuses.
        while (tcsetattr(StdIn, TCSADRAIN, _saved) != 0 && Marshal.GetLastWin32Error() == EINTR)
        {
        }
    }

    void OnProcessExit(object? sender, EventArgs e) => Dispose();

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for keystrokes and reads what is there
    /// (a paste arrives in as few reads as the buffer allows).
    /// </summary>
    /// <returns>The number of bytes read; 0 when nothing came in time; -1 when the terminal is gone.</returns>
    public static int Read(byte[] buffer, int timeoutMilliseconds)
    {
        var poll = new PollFd { Fd = StdIn, Events = POLLIN };
        int ready = PollOnce(ref poll, timeoutMilliseconds);
        if (ready == 0)
        {
            return 0;
        }
        if (ready < 0)
        {
            return -1;
        }
        if ((poll.REvents & POLLIN) == 0 && (poll.REvents & (POLLHUP | POLLERR | POLLNVAL)) != 0)
        {
            return -1;
        }
        while (true)
        {
            long count = (long)read(StdIn, buffer, (UIntPtr)(uint)buffer.Length);
            if (count > 0)
            {
                return (int)count;
            }
            if (count == 0)
            {
                return -1; // end of file: the terminal hung up
            }
            int errno = Marshal.GetLastWin32Error();
            if (errno == EINTR)
            {
                continue;
            }
            return errno == LinuxEAGAIN || errno == MacEAGAIN ? 0 : -1;
        }
    }

    static int PollOnce(ref PollFd poll, int timeoutMilliseconds)
    {
        while (true)
        {
            int ready = Poll(ref poll, (UIntPtr)1u, timeoutMilliseconds);
            if (ready >= 0)
            {
                return ready;
            }
            if (Marshal.GetLastWin32Error() != EINTR)
            {
                return -1;
            }
        }
    }

    /// <summary>
    /// The size of the local window: from the terminal itself on Linux, else from the console;
    /// 80x24 when neither knows.
    /// </summary>
    public static SandboxTerminalSize GetWindowSize()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            foreach (int fd in new[] { StdOut, StdIn })
            {
                if (ioctl(fd, (UIntPtr)LinuxTIOCGWINSZ, out WinSize size) == 0 && size.Columns > 0 && size.Rows > 0)
                {
                    return new SandboxTerminalSize(size.Columns, size.Rows);
                }
            }
        }
        try
        {
            int columns = Console.WindowWidth;
            int rows = Console.WindowHeight;
            if (columns > 0 && rows > 0)
            {
                return new SandboxTerminalSize(Math.Min(columns, SandboxTerminalSize.MaxCells), Math.Min(rows, SandboxTerminalSize.MaxCells));
            }
        }
        catch (IOException)
        {
        }
        return SandboxTerminalSize.Default;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [DllImport(LibC, SetLastError = true)]
    static extern int tcgetattr(int fd, [Out] byte[] termios);

    [DllImport(LibC, SetLastError = true)]
    static extern int tcsetattr(int fd, int optionalActions, [In] byte[] termios);

    [DllImport(LibC)]
    static extern void cfmakeraw([In, Out] byte[] termios);

    [DllImport(LibC, EntryPoint = "poll", SetLastError = true)]
    static extern int Poll(ref PollFd fds, UIntPtr count, int timeout);

    [DllImport(LibC, SetLastError = true)]
    static extern IntPtr read(int fd, [Out] byte[] buffer, UIntPtr count);

    [DllImport(LibC, SetLastError = true)]
    static extern int ioctl(int fd, UIntPtr request, out WinSize size);
}
