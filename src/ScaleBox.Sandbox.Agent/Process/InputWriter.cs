using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Writes input to a child's stdin pipe or terminal master, in order, all of it. The descriptor is
/// non-blocking and a full pipe is waited out with poll(2) next to the exit latch, so a child that
/// stops reading holds up the caller only while it lives.
/// </summary>
sealed class InputWriter(Descriptor target, ExitLatch exited)
{
    /// <summary>How often a writer waiting for room looks at its call's cancellation.</summary>
    const int PollSliceMilliseconds = 250;

    readonly SemaphoreSlim _order = new(1, 1);

    /// <summary>Throws <see cref="InputClosedException"/> when the child has gone or closed its side.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        await _order.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Run(() => WriteAll(bytes.Span, cancellationToken), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _order.Release();
        }
    }

    /// <summary>A cancelled call stops waiting for room (what was written stays written).</summary>
    void WriteAll(ReadOnlySpan<byte> bytes, CancellationToken cancellationToken)
    {
        Descriptor.Lease output, latch;
        try
        {
            output = target.Acquire();
        }
        catch (ObjectDisposedException)
        {
            throw new InputClosedException("the process has ended");
        }
        try
        {
            latch = exited.Acquire();
        }
        catch (ObjectDisposedException)
        {
            output.Dispose();
            throw new InputClosedException("the process has ended");
        }
        using (output)
        using (latch)
        {
            var fds = new LibC.PollFd[]
            {
                new() { Fd = output.Fd, Events = LibC.POLLOUT },
                new() { Fd = latch.Fd, Events = LibC.POLLIN },
            };
            while (!bytes.IsEmpty)
            {
                nint written = LibC.write(output.Fd, ref MemoryMarshal.GetReference(bytes), bytes.Length);
                if (written > 0)
                {
                    bytes = bytes[(int)written..];
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR) continue;
                if (errno != LibC.EAGAIN)
                {
                    throw new InputClosedException(LibC.Describe(errno)); // EPIPE, or EIO from a terminal whose slave is gone
                }
                cancellationToken.ThrowIfCancellationRequested();
                fds[0].REvents = fds[1].REvents = 0;
                if (LibC.poll(fds, 2, PollSliceMilliseconds) < 0 && Marshal.GetLastPInvokeError() != LibC.EINTR)
                {
                    throw new InputClosedException(LibC.Describe(Marshal.GetLastPInvokeError()));
                }
                if (fds[1].REvents != 0 && (fds[0].REvents & LibC.POLLOUT) == 0)
                {
                    throw new InputClosedException("the process has ended");
                }
            }
        }
    }
}

/// <summary>Input that cannot be delivered because the child is gone or no longer reads that side.</summary>
public sealed class InputClosedException(string message) : Exception(message);
