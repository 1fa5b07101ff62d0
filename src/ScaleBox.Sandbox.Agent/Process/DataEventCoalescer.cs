using System.Threading.Channels;
using Google.Protobuf;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Joins output events that are already queued for one listener into fewer, larger events before
/// they are written: when the client reads more slowly than the process writes, its queue fills with
/// small pipe reads, and each event costs the same to send and to receive whatever its size. Only
/// events waiting right now are taken (nothing waits for more output), only of the same source, in
/// order, and never beyond the chunk size the real agent sends (32 KiB for a pipe, 16 KiB for a
/// terminal), so a listener sees the same bytes in the same order, cut in other places.
/// </summary>
static class DataEventCoalescer
{
    public static ProcessEvent TakeQueued(ProcessEvent first, ChannelReader<ProcessEvent> queue)
    {
        if (Source(first) is not (ByteString firstBytes, int limit) || firstBytes.Length >= limit)
        {
            return first;
        }

        List<ByteString>? parts = null;
        int total = firstBytes.Length;
        while (queue.TryPeek(out ProcessEvent? next)
            && Source(next) is (ByteString bytes, _)
            && next.Data.OutputCase == first.Data.OutputCase
            && total + bytes.Length <= limit
            && queue.TryRead(out _))
        {
            (parts ??= [firstBytes]).Add(bytes);
            total += bytes.Length;
        }
        if (parts is null)
        {
            return first;
        }

        byte[] joined = new byte[total];
        int offset = 0;
        foreach (ByteString part in parts)
        {
            part.Span.CopyTo(joined.AsSpan(offset));
            offset += part.Length;
        }
        return OutputPump.DataEvent(first.Data.OutputCase, UnsafeByteOperations.UnsafeWrap(joined));
    }

    /// <summary>The bytes of an output event and the largest chunk its source may send; null for any other event.</summary>
    static (ByteString Bytes, int Limit)? Source(ProcessEvent e) => e.EventCase != ProcessEvent.EventOneofCase.Data ? null : e.Data.OutputCase switch
    {
        ProcessEvent.Types.DataEvent.OutputOneofCase.Stdout => (e.Data.Stdout, OutputPump.PipeChunkSize),
        ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr => (e.Data.Stderr, OutputPump.PipeChunkSize),
        ProcessEvent.Types.DataEvent.OutputOneofCase.Pty => (e.Data.Pty, OutputPump.PtyChunkSize),
        _ => null,
    };
}
