using System.Runtime.InteropServices;
using Google.Protobuf;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Reads one output source (a stdout or stderr pipe, or a terminal master) on a thread of its own and
/// hands what it reads, as it comes, to the fan-out: raw bytes, in chunks of at most 32 KiB for pipes
/// and 16 KiB for a terminal (as the real agent), never waiting for a newline or for more output
/// (one wakeup reads what is there, up to a few chunks, and hands them over together).
/// The source ends at end of file (EIO for a terminal). Once the child has exited, whatever is
/// already buffered is drained and reading stops, even if a grandchild still holds the write side.
/// </summary>
static class OutputPump
{
    /// <summary>How long draining after the child's exit may go on, against a grandchild that keeps writing.</summary>
    static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);

    public enum Kind { Stdout, Stderr, Pty }

    public const int PipeChunkSize = 32 * 1024;
    public const int PtyChunkSize = 16 * 1024;

    /// <summary>
    /// How many chunks one wakeup may read before handing them over. A fast writer's output is
    /// taken in one pass of reads and broadcast as several chunk-sized events at once, so the
    /// stream writer finds them queued together and sends them with one flush: a wakeup of the
    /// pump and of the writer for every 32 KiB made up most of the agent's cost per chunk.
    /// </summary>
    const int ChunksPerRead = 4;

    public static Thread Start(int pid, Kind kind, Descriptor source, ExitLatch exited, OutputFanOut fanOut)
    {
        var thread = new Thread(() => Run(kind, source, exited, fanOut), maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = $"sbx {kind.ToString().ToLowerInvariant()} {pid}",
        };
        thread.Start();
        return thread;
    }

    static void Run(Kind kind, Descriptor source, ExitLatch exited, OutputFanOut fanOut)
    {
        var buffer = new byte[ChunkSize(kind) * ChunksPerRead];
        using Descriptor.Lease data = source.Acquire();
        using Descriptor.Lease latch = exited.Acquire();
        var fds = new LibC.PollFd[]
        {
            new() { Fd = data.Fd, Events = LibC.POLLIN },
            new() { Fd = latch.Fd, Events = LibC.POLLIN },
        };

        while (true)
        {
            fds[0].REvents = fds[1].REvents = 0;
            if (LibC.poll(fds, 2, -1) < 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.EINTR) continue;
                return;
            }
            if (fds[1].REvents != 0)
            {
                Drain(kind, data.Fd, buffer, fanOut);
                return;
            }
            if (fds[0].REvents != 0 && ReadOnce(kind, data.Fd, buffer, fanOut) == ReadResult.End)
            {
                return;
            }
        }
    }

    /// <summary>Takes what is buffered right now, without waiting for more.</summary>
    static void Drain(Kind kind, int fd, byte[] buffer, OutputFanOut fanOut)
    {
        var poll = new LibC.PollFd[] { new() { Fd = fd, Events = LibC.POLLIN } };
        DateTime stop = DateTime.UtcNow + DrainLimit;
        while (DateTime.UtcNow < stop)
        {
            poll[0].REvents = 0;
            int ready = LibC.poll(poll, 1, 0);
            if (ready < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR) continue;
            if (ready <= 0 || ReadOnce(kind, fd, buffer, fanOut) != ReadResult.Data)
            {
                return;
            }
        }
    }

    enum ReadResult { Data, Nothing, End }

    /// <summary>
    /// One pass: the first read, then more reads while the source has more right now (it is
    /// non-blocking), until the buffer is full, so a fast writer's output leaves in few, full chunks
    /// while a line written alone still leaves at once.
    /// </summary>
    static ReadResult ReadOnce(Kind kind, int fd, byte[] buffer, OutputFanOut fanOut)
    {
        int filled = 0;
        ReadResult result = ReadResult.Data;
        while (filled < buffer.Length)
        {
            nint read = LibC.read(fd, ref buffer[filled], buffer.Length - filled);
            if (read > 0)
            {
                filled += (int)read;
                continue;
            }
            int errno = read == 0 ? 0 : Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
            {
                continue;
            }
            // EAGAIN: nothing more right now; end of file, or EIO once a terminal's slave side is closed.
            result = errno == LibC.EAGAIN ? (filled > 0 ? ReadResult.Data : ReadResult.Nothing) : ReadResult.End;
            break;
        }
        int chunk = ChunkSize(kind);
        for (int offset = 0; offset < filled; offset += chunk)
        {
            fanOut.Broadcast(DataEvent(Source(kind), ByteString.CopyFrom(buffer, offset, Math.Min(chunk, filled - offset))));
        }
        return result;
    }

    static int ChunkSize(Kind kind) => kind == Kind.Pty ? PtyChunkSize : PipeChunkSize;

    static ProcessEvent.Types.DataEvent.OutputOneofCase Source(Kind kind) => kind switch
    {
        Kind.Stdout => ProcessEvent.Types.DataEvent.OutputOneofCase.Stdout,
        Kind.Stderr => ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr,
        _ => ProcessEvent.Types.DataEvent.OutputOneofCase.Pty,
    };

    internal static ProcessEvent DataEvent(ProcessEvent.Types.DataEvent.OutputOneofCase source, ByteString bytes)
    {
        var data = new ProcessEvent.Types.DataEvent();
        switch (source)
        {
            case ProcessEvent.Types.DataEvent.OutputOneofCase.Stdout: data.Stdout = bytes; break;
            case ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr: data.Stderr = bytes; break;
            default: data.Pty = bytes; break;
        }
        return new ProcessEvent { Data = data };
    }
}
