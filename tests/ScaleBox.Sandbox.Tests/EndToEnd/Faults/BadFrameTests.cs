using System.Buffers.Binary;
using System.Text;
using Xunit.Abstractions;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Faults;

/// <summary>
/// A process stream whose gRPC-Web frames are garbage, cut in the middle, or announce more than the
/// client accepts: every case is one clear error (naming the pid once the process had started),
/// never a hang and never output that silently stops short.
/// </summary>
public sealed class BadFrameTests(ITestOutputHelper output)
{
    internal const uint Pid = 4242;
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    internal static byte[] Frame(byte flags, byte[] payload)
    {
        byte[] frame = new byte[5 + payload.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    // Encoded by hand from the published schema: StartResponse{event=1: ProcessEvent{start=1: {pid=1}, data=2: {stdout=1}}}.
    internal static byte[] Started() => Frame(0, Field(1, Field(1, [0x08, .. Varint(Pid)])));

    internal static byte[] Output(string text) => Frame(0, Field(1, Field(2, Field(1, Encoding.UTF8.GetBytes(text)))));

    internal static byte[] Field(int number, byte[] content) => [(byte)((number << 3) | 2), .. Varint((uint)content.Length), .. content];

    static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7)
        {
            bytes.Add((byte)(value | 0x80));
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    static byte[] Prefix(byte flags, uint announced)
    {
        byte[] prefix = new byte[5];
        prefix[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), announced);
        return prefix;
    }

    public static TheoryData<string, byte[]> AfterTheStart => new()
    {
        { "garbage message", [.. Started(), .. Output("hello"), .. Frame(0, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])] },
        { "truncated frame", [.. Started(), .. Output("hello"), .. Prefix(0, 100), .. new byte[10]] },
        { "truncated prefix", [.. Started(), .. Output("hello"), 0x00, 0x00] },
        { "oversized frame", [.. Started(), .. Output("hello"), .. Prefix(0, 0x7FFFFFFF), .. new byte[64]] },
        { "no end event", [.. Started(), .. Output("hello"), .. Frame(0x80, Encoding.ASCII.GetBytes("grpc-status: 0\r\n"))] },
    };

    [Theory]
    [MemberData(nameof(AfterTheStart))]
    public async Task A_broken_stream_after_the_start_is_one_error_naming_the_pid(string shape, byte[] body)
    {
        await using var server = new ScriptedHttpServer("application/grpc-web+proto", body);
        using SandboxClient client = FaultyAgent.Client(server.Port, SandboxProtocol.GrpcWeb, TimeSpan.FromSeconds(5));
        var seen = new List<SandboxProcessEvent>();

        var error = await Assert.ThrowsAsync<SandboxException>(async () =>
        {
            await foreach (SandboxProcessEvent e in client.Processes.StartAsync(SandboxProcessStartInfo.ForCommand("true")).WithCancellation(default))
            {
                seen.Add(e);
            }
        }).WaitAsync(Bound);

        output.WriteLine($"{shape}: {error.Code}: {error.Message}");
        Assert.True(seen.Count >= 1, shape);
        Assert.IsType<SandboxProcessStarted>(seen[0]);
        Assert.DoesNotContain(seen, e => e is SandboxProcessExit); // never a made-up end
        Assert.Contains($"pid {Pid}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x00, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x00, 0x00, 0x00 })]
    [InlineData(new byte[] { 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0x00 })]
    public async Task A_broken_stream_before_the_start_is_one_error_without_a_stack_trace_and_no_event(byte[] body)
    {
        await using var server = new ScriptedHttpServer("application/grpc-web+proto", body);
        using SandboxClient client = FaultyAgent.Client(server.Port, SandboxProtocol.GrpcWeb, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SandboxException>(async () =>
        {
            await foreach (SandboxProcessEvent e in client.Processes.StartAsync(SandboxProcessStartInfo.ForCommand("true")).WithCancellation(default))
            {
                Assert.Fail($"no event was sent, but {e} came out");
            }
        }).WaitAsync(Bound);

        output.WriteLine($"{error.Code}: {error.Message}");
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal); // no stack trace in the message
    }
}
