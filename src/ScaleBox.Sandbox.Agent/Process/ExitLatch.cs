using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// A one-way, pollable flag (an eventfd) raised when the child has exited. Output readers and input
/// writers wait on it next to their own descriptor, so none of them can stay blocked on a pipe or
/// terminal that a leftover grandchild keeps open.
/// </summary>
sealed class ExitLatch : IDisposable
{
    readonly Descriptor _event;

    public ExitLatch()
    {
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        if (fd < 0)
        {
            throw new SpawnException(Marshal.GetLastPInvokeError(), "eventfd");
        }
        _event = new Descriptor(fd);
    }

    volatile bool _set;

    public bool IsSet => _set;

    public Descriptor.Lease Acquire() => _event.Acquire();

    /// <summary>Raises the flag; the eventfd stays readable from then on, waking every poller.</summary>
    public void Set()
    {
        _set = true;
        Span<byte> one = stackalloc byte[8];
        one[0] = 1;
        using Descriptor.Lease lease = _event.Acquire();
        LibC.write(lease.Fd, ref MemoryMarshal.GetReference(one), one.Length);
    }

    public void Dispose() => _event.Dispose();
}
