using System.Runtime.InteropServices;
using System.Text;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// The master side of a pseudo-terminal pair (posix_openpt), and the path of its slave for the child
/// to open. The agent never opens the slave itself: once the child and everything it started have
/// closed it, reading the master fails with EIO, which is the end of the terminal's output.
/// The master is non-blocking; readers and writers wait with poll(2).
/// </summary>
sealed class PseudoTerminal : IDisposable
{
    PseudoTerminal(Descriptor master, string slavePath)
    {
        Master = master;
        SlavePath = slavePath;
    }

    public Descriptor Master { get; }

    public string SlavePath { get; }

    public static PseudoTerminal Open(ushort cols, ushort rows)
    {
        int fd = LibC.posix_openpt(LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            throw new SpawnException(Marshal.GetLastPInvokeError(), "posix_openpt");
        }
        var master = new Descriptor(fd);
        try
        {
            if (LibC.grantpt(fd) != 0)
            {
                throw new SpawnException(Marshal.GetLastPInvokeError(), "grantpt");
            }
            if (LibC.unlockpt(fd) != 0)
            {
                throw new SpawnException(Marshal.GetLastPInvokeError(), "unlockpt");
            }
            var name = new byte[128];
            int error = LibC.ptsname_r(fd, name, (nuint)name.Length);
            if (error != 0)
            {
                throw new SpawnException(error, "ptsname_r");
            }
            master.MakeNonBlocking();

            var terminal = new PseudoTerminal(master, Encoding.UTF8.GetString(name, 0, Array.IndexOf(name, (byte)0)));
            terminal.Resize(cols, rows);
            return terminal;
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>TIOCSWINSZ on the master: the kernel records the size and sends SIGWINCH to the terminal's foreground group.</summary>
    public void Resize(ushort cols, ushort rows)
    {
        using Descriptor.Lease lease = Master.Acquire();
        var size = new LibC.WinSize { Cols = cols, Rows = rows };
        if (LibC.ioctl(lease.Fd, LibC.TIOCSWINSZ, ref size) != 0)
        {
            throw new IOException("error resizing tty: " + LibC.Describe(Marshal.GetLastPInvokeError()));
        }
    }

    public void Dispose() => Master.Dispose();
}
