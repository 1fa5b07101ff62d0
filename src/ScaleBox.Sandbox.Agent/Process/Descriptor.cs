using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// An owned file descriptor whose close waits for every current user: a reader blocked in poll(2)
/// or a writer mid-write holds a <see cref="Lease"/>, so closing never frees a number that another
/// thread is still using (and that the kernel could hand out again).
/// </summary>
sealed class Descriptor : SafeHandle
{
    public Descriptor(int fd) : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>Keeps the descriptor open until disposed; throws <see cref="ObjectDisposedException"/> once closed.</summary>
    public Lease Acquire()
    {
        bool added = false;
        DangerousAddRef(ref added);
        return new Lease(this);
    }

    protected override bool ReleaseHandle() => LibC.close(handle.ToInt32()) == 0;

    public readonly struct Lease(Descriptor owner) : IDisposable
    {
        public int Fd => owner.DangerousGetHandle().ToInt32();

        public void Dispose() => owner.DangerousRelease();
    }

    /// <summary>A pipe whose two ends are close-on-exec; the child's end is handed over by dup2 in the spawn.</summary>
    public static (Descriptor Read, Descriptor Write) Pipe()
    {
        var fds = new int[2];
        if (LibC.pipe2(fds, LibC.O_CLOEXEC) != 0)
        {
            throw new SpawnException(Marshal.GetLastPInvokeError(), "pipe2");
        }
        return (new Descriptor(fds[0]), new Descriptor(fds[1]));
    }

    public void MakeNonBlocking()
    {
        using Lease lease = Acquire();
        int flags = LibC.fcntl(lease.Fd, LibC.F_GETFL, 0);
        LibC.fcntl(lease.Fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK);
    }
}
