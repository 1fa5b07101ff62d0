using System.Threading.Channels;
using Google.Protobuf;
using ScaleBox.Sandbox.Agent.Processes;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>
/// Output events already queued for a slow listener are joined before they are written: same source
/// only, in order, byte-exact, never beyond the real agent's chunk sizes, and nothing else is touched.
/// </summary>
public sealed class DataEventCoalescerTests
{
    static ProcessEvent Stdout(byte[] bytes) => new() { Data = new ProcessEvent.Types.DataEvent { Stdout = ByteString.CopyFrom(bytes) } };
    static ProcessEvent Stderr(byte[] bytes) => new() { Data = new ProcessEvent.Types.DataEvent { Stderr = ByteString.CopyFrom(bytes) } };
    static ProcessEvent Pty(byte[] bytes) => new() { Data = new ProcessEvent.Types.DataEvent { Pty = ByteString.CopyFrom(bytes) } };

    static byte[] Pattern(int length, int seed) => Enumerable.Range(seed, length).Select(i => (byte)(i * 7)).ToArray();

    static (ProcessEvent First, ChannelReader<ProcessEvent> Queued) Queue(params ProcessEvent[] events)
    {
        var channel = Channel.CreateUnbounded<ProcessEvent>();
        foreach (ProcessEvent e in events.Skip(1))
        {
            channel.Writer.TryWrite(e);
        }
        return (events[0], channel.Reader);
    }

    static List<ProcessEvent> Remaining(ChannelReader<ProcessEvent> reader)
    {
        var left = new List<ProcessEvent>();
        while (reader.TryRead(out ProcessEvent? e))
        {
            left.Add(e);
        }
        return left;
    }

    [Fact]
    public void Queued_stdout_reads_join_into_one_event_with_the_same_bytes_in_order()
    {
        byte[][] parts = [Pattern(4096, 1), Pattern(100, 2), Pattern(9000, 3), Pattern(1, 4)];
        var (first, rest) = Queue([.. parts.Select(Stdout)]);

        ProcessEvent joined = DataEventCoalescer.TakeQueued(first, rest);

        Assert.Equal(parts.SelectMany(p => p).ToArray(), joined.Data.Stdout.ToByteArray());
        Assert.Empty(Remaining(rest));
    }

    [Fact]
    public void Joining_stops_at_32_KiB_for_a_pipe_and_leaves_the_rest_queued()
    {
        byte[][] parts = [.. Enumerable.Range(0, 10).Select(i => Pattern(5000, i))];
        var (first, rest) = Queue([.. parts.Select(Stdout)]);

        ProcessEvent joined = DataEventCoalescer.TakeQueued(first, rest);

        // Six reads of 5000 bytes fit in 32 KiB (30,000), a seventh would not.
        Assert.Equal(parts.Take(6).SelectMany(p => p).ToArray(), joined.Data.Stdout.ToByteArray());
        List<ProcessEvent> left = Remaining(rest);
        Assert.Equal(4, left.Count);
        Assert.Equal(parts[6], left[0].Data.Stdout.ToByteArray());
    }

    [Fact]
    public void Joining_stops_at_16_KiB_for_a_terminal()
    {
        byte[][] parts = [.. Enumerable.Range(0, 5).Select(i => Pattern(6000, i))];
        var (first, rest) = Queue([.. parts.Select(Pty)]);

        ProcessEvent joined = DataEventCoalescer.TakeQueued(first, rest);

        Assert.Equal(parts.Take(2).SelectMany(p => p).ToArray(), joined.Data.Pty.ToByteArray());
        Assert.Equal(3, Remaining(rest).Count);
    }

    [Fact]
    public void Stdout_and_stderr_are_never_joined_and_their_order_is_kept()
    {
        var (first, rest) = Queue(Stdout("a"u8.ToArray()), Stdout("b"u8.ToArray()), Stderr("E"u8.ToArray()), Stdout("c"u8.ToArray()));

        ProcessEvent joined = DataEventCoalescer.TakeQueued(first, rest);

        Assert.Equal("ab", joined.Data.Stdout.ToStringUtf8());
        List<ProcessEvent> left = Remaining(rest);
        Assert.Equal("E", left[0].Data.Stderr.ToStringUtf8());
        Assert.Equal("c", left[1].Data.Stdout.ToStringUtf8());
    }

    [Fact]
    public void The_end_event_is_never_taken_and_a_lone_event_is_left_as_it_is()
    {
        var end = new ProcessEvent { End = new ProcessEvent.Types.EndEvent { Exited = true, Status = "exit status 0" } };
        var (first, rest) = Queue(Stdout("last"u8.ToArray()), end);
        ProcessEvent lone = Stdout("alone"u8.ToArray());

        ProcessEvent same = DataEventCoalescer.TakeQueued(first, rest);

        Assert.Same(first, same);
        Assert.Same(end, Remaining(rest).Single());
        Assert.Same(lone, DataEventCoalescer.TakeQueued(lone, Channel.CreateUnbounded<ProcessEvent>().Reader));
    }

    [Fact]
    public void A_full_chunk_is_not_joined_with_what_follows()
    {
        var (first, rest) = Queue(Stdout(Pattern(32 * 1024, 1)), Stdout("x"u8.ToArray()));

        Assert.Same(first, DataEventCoalescer.TakeQueued(first, rest));
        Assert.Single(Remaining(rest));
    }
}
