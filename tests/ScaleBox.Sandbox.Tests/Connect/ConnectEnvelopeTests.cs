using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using ScaleBox.Sandbox.Agent.Connect;
using ScaleBox.Sandbox.Tests.Connect.Probe;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>Connect's streaming framing on its own: envelopes, the end-of-stream message, the stream reader and writer.</summary>
public sealed class ConnectEnvelopeTests
{
    [Fact]
    public async Task Envelopes_round_trip_with_their_flags_and_the_body_ends_cleanly_after_the_last()
    {
        var body = new MemoryStream();
        await new ConnectEnvelope(ConnectEnvelopeFlags.None, "first"u8.ToArray()).WriteAsync(body, default);
        await new ConnectEnvelope(ConnectEnvelopeFlags.Compressed, Array.Empty<byte>()).WriteAsync(body, default);
        await new ConnectEnvelope(ConnectEnvelopeFlags.EndStream, "{}"u8.ToArray()).WriteAsync(body, default);
        body.Position = 0;

        ConnectEnvelope? first = await ConnectEnvelope.ReadAsync(body, 1024, default);
        ConnectEnvelope? empty = await ConnectEnvelope.ReadAsync(body, 1024, default);
        ConnectEnvelope? end = await ConnectEnvelope.ReadAsync(body, 1024, default);
        ConnectEnvelope? none = await ConnectEnvelope.ReadAsync(body, 1024, default);

        Assert.Equal(ConnectEnvelopeFlags.None, first!.Value.Flags);
        Assert.Equal("first", Encoding.UTF8.GetString(first.Value.Payload.Span));
        Assert.Equal(ConnectEnvelopeFlags.Compressed, empty!.Value.Flags);
        Assert.Equal(0, empty.Value.Payload.Length);
        Assert.Equal(ConnectEnvelopeFlags.EndStream, end!.Value.Flags);
        Assert.Equal("{}", Encoding.UTF8.GetString(end.Value.Payload.Span));
        Assert.Null(none);
    }

    [Fact]
    public async Task The_wire_format_is_a_flag_byte_a_big_endian_length_and_the_payload()
    {
        var body = new MemoryStream();
        byte[] payload = new byte[300];
        payload[299] = 0xAB;

        await new ConnectEnvelope(ConnectEnvelopeFlags.EndStream, payload).WriteAsync(body, default);

        byte[] wire = body.ToArray();
        Assert.Equal(5 + 300, wire.Length);
        Assert.Equal(0x02, wire[0]);
        Assert.Equal([0x00, 0x00, 0x01, 0x2C], wire[1..5]); // 300, big-endian
        Assert.Equal(0xAB, wire[^1]);
    }

    [Theory]
    [InlineData(3)] // inside the prefix
    [InlineData(7)] // inside the payload
    public async Task A_body_that_ends_inside_an_envelope_is_invalid_argument(int keptBytes)
    {
        var body = new MemoryStream();
        await new ConnectEnvelope(ConnectEnvelopeFlags.None, "0123456789"u8.ToArray()).WriteAsync(body, default);
        var truncated = new MemoryStream(body.ToArray()[..keptBytes]);

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => ConnectEnvelope.ReadAsync(truncated, 1024, default));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task An_envelope_announcing_more_than_the_limit_is_resource_exhausted_before_its_payload_is_read()
    {
        byte[] prefix = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), uint.MaxValue); // no payload follows at all

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => ConnectEnvelope.ReadAsync(new MemoryStream(prefix), 4096, default));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public void The_end_of_stream_of_a_failed_call_holds_the_error_and_the_metadata()
    {
        var trailers = new Metadata { { "probe-trailer", "one" }, { "probe-trailer", "two" }, { "probe-bin", new byte[] { 1, 2, 3, 4 } } };

        byte[] json = ConnectEndOfStream.ToJson(new Status(StatusCode.NotFound, "path not found: /x"), trailers);

        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement error = document.RootElement.GetProperty("error");
        Assert.Equal("not_found", error.GetProperty("code").GetString());
        Assert.Equal("path not found: /x", error.GetProperty("message").GetString());
        JsonElement metadata = document.RootElement.GetProperty("metadata");
        Assert.Equal(["one", "two"], metadata.GetProperty("probe-trailer").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("AQIDBA", metadata.GetProperty("probe-bin")[0].GetString()); // base64, unpadded
    }

    [Fact]
    public void The_end_of_stream_of_a_failed_call_without_trailers_still_has_an_empty_metadata_object()
    {
        byte[] json = ConnectEndOfStream.ToJson(new Status(StatusCode.Unimplemented, ""), []);

        Assert.Equal("""{"error":{"code":"unimplemented"},"metadata":{}}""", Encoding.UTF8.GetString(json));
    }

    [Fact]
    public void The_end_of_stream_of_a_successful_call_is_an_empty_object()
    {
        Assert.Equal("{}", Encoding.UTF8.GetString(ConnectEndOfStream.ToJson(Status.DefaultSuccess, [])));
    }

    [Fact]
    public async Task The_stream_writer_sends_one_envelope_per_message_then_the_end_of_stream_and_refuses_more()
    {
        var body = new MemoryStream();
        var writer = new ConnectStreamWriter<Number>(body, ConnectCodec.Json, CancellationToken.None);

        await writer.WriteAsync(new Number { Value = 1 });
        await writer.WriteAsync(new Number { Value = 20 });
        Assert.True(await writer.CloseAsync("{}"u8.ToArray(), default));
        Assert.False(await writer.CloseAsync("{}"u8.ToArray(), default)); // the first close wins
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new Number { Value = 3 }));

        body.Position = 0;
        var seen = new List<(ConnectEnvelopeFlags, string)>();
        while (await ConnectEnvelope.ReadAsync(body, 1024, default) is { } envelope)
        {
            seen.Add((envelope.Flags, Encoding.UTF8.GetString(envelope.Payload.Span)));
        }
        Assert.Equal(
            [(ConnectEnvelopeFlags.None, """{ "value": "1" }"""), (ConnectEnvelopeFlags.None, """{ "value": "20" }"""), (ConnectEnvelopeFlags.EndStream, "{}")],
            seen);
    }

    [Fact]
    public async Task The_stream_reader_yields_each_message_and_inflates_gzip_envelopes()
    {
        var body = new MemoryStream();
        await new ConnectEnvelope(ConnectEnvelopeFlags.None, new Number { Value = 5 }.ToByteArray()).WriteAsync(body, default);
        await new ConnectEnvelope(ConnectEnvelopeFlags.Compressed, Gzip(new Number { Value = 6 }.ToByteArray())).WriteAsync(body, default);
        body.Position = 0;
        var reader = new ConnectStreamReader<Number>(body, data => Number.Parser.ParseFrom(data.Span), "gzip", 1024);

        var values = new List<long>();
        while (await reader.MoveNext(default))
        {
            values.Add(reader.Current.Value);
        }

        Assert.Equal([5L, 6L], values);
    }

    [Fact]
    public async Task The_stream_reader_refuses_an_end_of_stream_envelope_in_a_request()
    {
        var body = new MemoryStream();
        await new ConnectEnvelope(ConnectEnvelopeFlags.EndStream, "{}"u8.ToArray()).WriteAsync(body, default);
        body.Position = 0;
        var reader = new ConnectStreamReader<Number>(body, data => Number.Parser.ParseFrom(data.Span), null, 1024);

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => reader.MoveNext(default));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }
}
