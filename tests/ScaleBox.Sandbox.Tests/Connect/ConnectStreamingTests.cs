using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Google.Protobuf;
using ScaleBox.Sandbox.Agent.Connect;
using ScaleBox.Sandbox.Tests.Connect.Probe;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>
/// The generic dispatch with every kind of method and with deadlines, through the probe service
/// hosted as the agent hosts its own. Streams answer HTTP 200 and end with an end-of-stream envelope.
/// </summary>
[Collection(LocalAgentCollection.Name)] // run with the other socket tests, one at a time
public sealed class ConnectStreamingTests(ProbeHost probe) : IClassFixture<ProbeHost>, IDisposable
{
    readonly HttpClient _http = new() { BaseAddress = probe.Address, Timeout = TimeSpan.FromSeconds(15) };

    Task<HttpResponseMessage> StreamAsync(string method, string contentType, params byte[][] messages) =>
        _http.SendAsync(ConnectWire.Request($"connectprobe.Probe/{method}", ConnectWire.Envelopes(messages), contentType, accessToken: null));

    static byte[] Json(IMessage message) => System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message));

    static JsonElement EndOfStream(IReadOnlyList<ConnectEnvelope> envelopes)
    {
        ConnectEnvelope last = envelopes[^1];
        Assert.Equal(ConnectEnvelopeFlags.EndStream, last.Flags);
        Assert.DoesNotContain(envelopes.SkipLast(1), e => e.Flags != ConnectEnvelopeFlags.None);
        return JsonDocument.Parse(last.Payload).RootElement;
    }

    [Fact]
    public async Task A_server_stream_in_JSON_sends_each_message_then_an_end_of_stream_with_the_trailers()
    {
        using HttpResponseMessage response = await StreamAsync("Count", "application/connect+json", Json(new CountRequest { Count = 3 }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/connect+json", response.Content.Headers.ContentType?.MediaType);
        IReadOnlyList<ConnectEnvelope> envelopes = await ConnectWire.ReadEnvelopesAsync(response);
        Assert.Equal(["1", "2", "3"], envelopes.SkipLast(1).Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("value").GetString()));
        JsonElement end = EndOfStream(envelopes);
        Assert.False(end.TryGetProperty("error", out _));
        Assert.Equal("counted 3", end.GetProperty("metadata").GetProperty(ProbeService.TrailerKey)[0].GetString());
    }

    [Fact]
    public async Task A_server_stream_in_binary_proto_sends_binary_messages_and_a_JSON_end_of_stream()
    {
        using HttpResponseMessage response = await StreamAsync("Count", "application/connect+proto", new CountRequest { Count = 2 }.ToByteArray());

        Assert.Equal("application/connect+proto", response.Content.Headers.ContentType?.MediaType);
        IReadOnlyList<ConnectEnvelope> envelopes = await ConnectWire.ReadEnvelopesAsync(response);
        Assert.Equal([1L, 2L], envelopes.SkipLast(1).Select(e => Number.Parser.ParseFrom(e.Payload.Span).Value));
        Assert.False(EndOfStream(envelopes).TryGetProperty("error", out _));
    }

    [Fact]
    public async Task An_error_after_some_messages_is_HTTP_200_with_the_error_in_the_end_of_stream()
    {
        const int notFound = 5;
        using HttpResponseMessage response = await StreamAsync("Count", "application/connect+json", Json(new CountRequest { Count = 2, FailWith = notFound }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<ConnectEnvelope> envelopes = await ConnectWire.ReadEnvelopesAsync(response);
        Assert.Equal(3, envelopes.Count);
        JsonElement end = EndOfStream(envelopes);
        Assert.Equal("not_found", end.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("failed after 2", end.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("counted 2", end.GetProperty("metadata").GetProperty(ProbeService.TrailerKey)[0].GetString());
    }

    [Fact]
    public async Task A_stream_past_its_Connect_timeout_ends_with_deadline_exceeded()
    {
        HttpRequestMessage request = ConnectWire.Request("connectprobe.Probe/Count",
            ConnectWire.Envelopes(Json(new CountRequest { Count = 1, ThenWait = true })), "application/connect+json", accessToken: null);
        request.Headers.Add("Connect-Timeout-Ms", "300");

        using HttpResponseMessage response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<ConnectEnvelope> envelopes = await ConnectWire.ReadEnvelopesAsync(response);
        Assert.Equal(2, envelopes.Count); // the message sent before the deadline, then the end
        Assert.Equal("deadline_exceeded", EndOfStream(envelopes).GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the answer must not wait for a handler that ignores its cancelled token
    public async Task A_unary_call_past_its_Connect_timeout_is_504_deadline_exceeded_at_the_deadline(bool handlerIgnoresCancellation)
    {
        HttpRequestMessage request = ConnectWire.Request("connectprobe.Probe/Wait",
            Json(new WaitRequest { Milliseconds = 4000, IgnoreCancellation = handlerIgnoresCancellation }), "application/json", accessToken: null);
        request.Headers.Add("Connect-Timeout-Ms", "300");
        var watch = Stopwatch.StartNew();

        using HttpResponseMessage response = await _http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"the answer took {watch.Elapsed}, the handler's whole wait");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("deadline_exceeded", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_unary_call_within_its_Connect_timeout_answers_normally()
    {
        HttpRequestMessage request = ConnectWire.Request("connectprobe.Probe/Wait",
            Json(new WaitRequest { Milliseconds = 10 }), "application/json", accessToken: null);
        request.Headers.Add("Connect-Timeout-Ms", "10000");

        using HttpResponseMessage response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_exception_no_interceptor_translates_is_500_unknown_without_its_details()
    {
        using HttpResponseMessage response = await _http.SendAsync(ConnectWire.Request("connectprobe.Probe/Wait",
            Json(new WaitRequest { FailUnexpectedly = true }), "application/json", accessToken: null));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unknown", error.GetProperty("code").GetString());
        // The probe host, unlike the agent, does not enable detailed errors: nothing of the exception leaks.
        Assert.Equal("Exception was thrown by handler.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_client_stream_reads_every_request_envelope_and_answers_one_message()
    {
        using HttpResponseMessage response = await StreamAsync("Sum", "application/connect+proto",
            new Number { Value = 1 }.ToByteArray(), new Number { Value = 2 }.ToByteArray(), new Number { Value = 39 }.ToByteArray());

        IReadOnlyList<ConnectEnvelope> envelopes = await ConnectWire.ReadEnvelopesAsync(response);
        Assert.Equal(2, envelopes.Count);
        Assert.Equal(42L, Number.Parser.ParseFrom(envelopes[0].Payload.Span).Value);
        Assert.Equal("{}", ConnectWire.Text(envelopes[1]));
    }

    [Fact]
    public async Task A_duplex_stream_answers_each_request_message()
    {
        using HttpResponseMessage response = await StreamAsync("Double", "application/connect+json",
            Json(new Number { Value = 4 }), Json(new Number { Value = 21 }));

        IReadOnlyList<ConnectEnvelope> envelopes = await ConnectWire.ReadEnvelopesAsync(response);
        Assert.Equal(["8", "42"], envelopes.SkipLast(1).Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("value").GetString()));
        Assert.Equal("{}", ConnectWire.Text(envelopes[^1]));
    }

    [Fact]
    public async Task A_method_the_service_does_not_implement_ends_with_unimplemented()
    {
        using HttpResponseMessage response = await StreamAsync("Forgotten", "application/connect+json", Json(new Number()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<ConnectEnvelope> envelopes = await ConnectWire.ReadEnvelopesAsync(response);
        Assert.Equal("unimplemented", EndOfStream(envelopes).GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task A_server_stream_needs_exactly_one_request_message(int messages)
    {
        byte[][] requests = Enumerable.Repeat(Json(new CountRequest { Count = 1 }), messages).ToArray();

        using HttpResponseMessage response = await StreamAsync("Count", "application/connect+json", requests);

        IReadOnlyList<ConnectEnvelope> envelopes = await ConnectWire.ReadEnvelopesAsync(response);
        Assert.Single(envelopes);
        Assert.Equal("invalid_argument", EndOfStream(envelopes).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_malformed_request_message_ends_the_stream_with_invalid_argument()
    {
        using HttpResponseMessage response = await StreamAsync("Count", "application/connect+json", "{\"count\":"u8.ToArray());

        IReadOnlyList<ConnectEnvelope> envelopes = await ConnectWire.ReadEnvelopesAsync(response);
        Assert.Equal("invalid_argument", EndOfStream(envelopes).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_streaming_method_called_in_the_unary_shape_is_415_naming_the_streaming_content_types()
    {
        using HttpResponseMessage response = await _http.SendAsync(ConnectWire.Request(
            "connectprobe.Probe/Count", Json(new CountRequest { Count = 1 }), "application/json", accessToken: null));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/connect+json, application/connect+proto", Assert.Single(response.Headers.GetValues("Accept-Post")));
    }

    public void Dispose() => _http.Dispose();
}
