using System.Text;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;
using ScaleBox.Sandbox.Tests.EndToEnd.Faults;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Connect;

/// <summary>
/// What a Connect session puts on the wire and how it reads what comes back, byte for byte, against
/// a scripted server (TEST-ONLY fault injection: it answers with fixed bytes written here by hand, in
/// the shapes the Connect protocol specifies and connect-go sends). The same client against the real
/// agent is covered by the [AllProtocols] end-to-end tests.
/// </summary>
public sealed class ConnectWireTests
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    const uint Pid = BadFrameTests.Pid;
    const string Token = "wire-token";

    static SandboxClient Client(int port, SandboxProtocol protocol, TimeSpan timeout) =>
        new(new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{port}"), new AccessToken(Token)) { Protocol = protocol, Timeout = timeout });

    // A Connect envelope has the shape of a gRPC-Web frame: flags, big-endian length, payload.
    static byte[] Envelope(byte flags, byte[] payload) => BadFrameTests.Frame(flags, payload);

    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    static (string Head, byte[] Body) Split(byte[] request)
    {
        int end = request.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        return (Encoding.ASCII.GetString(request, 0, end), request[end..]);
    }

    [Theory]
    [InlineData(SandboxProtocol.Connect, "application/proto")]
    [InlineData(SandboxProtocol.ConnectJson, "application/json")]
    public async Task A_unary_call_is_a_POST_of_the_bare_message_with_the_protocol_version_and_the_timeout(SandboxProtocol protocol, string contentType)
    {
        // An empty ListDirResponse: no bytes in protobuf, {} in JSON.
        await using var server = new ScriptedHttpServer(contentType, protocol == SandboxProtocol.Connect ? [] : Utf8("{}"));
        using SandboxClient client = Client(server.Port, protocol, TimeSpan.FromSeconds(7));

        Assert.Empty(await client.Files.GetChildItemsAsync("/home/user/dir", 3).WaitAsync(Bound));

        (string head, byte[] body) = Split(Assert.Single(server.Requests));
        Assert.StartsWith("POST /sandboxagent.Filesystem/ListDir HTTP/1.1\r\n", head, StringComparison.Ordinal);
        Assert.Contains($"\r\nContent-Type: {contentType}\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nConnect-Protocol-Version: 1\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"\r\nX-Access-Token: {Token}\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nAuthorization: Bearer root\r\n", head, StringComparison.OrdinalIgnoreCase);
        // The session's 7 s, as whole milliseconds, less what passed before sending.
        var timeout = System.Text.RegularExpressions.Regex.Match(head, @"\r\nConnect-Timeout-Ms: (\d+)\r\n", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        Assert.True(timeout.Success, head);
        Assert.InRange(long.Parse(timeout.Groups[1].Value), 1, 7000);
        if (protocol == SandboxProtocol.Connect)
        {
            // ListDirRequest{path=1: "/home/user/dir", depth=2: 3}, encoded by hand from the schema.
            Assert.Equal([0x0A, 14, .. Utf8("/home/user/dir"), 0x10, 3], body);
        }
        else
        {
            // Proto3 JSON as the official JavaScript client writes it: lowerCamelCase names, defaults left out.
            Assert.Equal("{ \"path\": \"/home/user/dir\", \"depth\": 3 }", Encoding.UTF8.GetString(body));
        }
    }

    /// <summary>A started, output, ended process stream as a Connect server writes it, in each codec.</summary>
    static byte[] ProcessStream(SandboxProtocol protocol)
    {
        if (protocol == SandboxProtocol.Connect)
        {
            // StartResponse{event=1: ProcessEvent{end=3: {exit_code=1: zigzag(3), exited=2: true, status=3: "exit status 3"}}}
            byte[] end = BadFrameTests.Field(1, BadFrameTests.Field(3, [0x08, 6, 0x10, 1, .. BadFrameTests.Field(3, Utf8("exit status 3"))]));
            return [.. BadFrameTests.Started(), .. BadFrameTests.Output("héllo\n"), .. Envelope(0, end), .. Envelope(0x02, Utf8("{}"))];
        }
        return
        [
            .. Envelope(0, Utf8("{\"event\":{\"start\":{\"pid\":4242}}}")),
            .. Envelope(0, Utf8("{\"event\":{\"data\":{\"stdout\":\"aMOpbGxvCg==\"}}}")),
            .. Envelope(0, Utf8("{\"event\":{\"end\":{\"exitCode\":3,\"exited\":true,\"status\":\"exit status 3\"}}}")),
            .. Envelope(0x02, Utf8("{}")),
        ];
    }

    [Theory]
    [InlineData(SandboxProtocol.Connect, "application/connect+proto")]
    [InlineData(SandboxProtocol.ConnectJson, "application/connect+json")]
    public async Task A_server_stream_sends_one_envelope_and_reads_envelopes_up_to_the_end_of_stream_message(SandboxProtocol protocol, string contentType)
    {
        await using var server = new ScriptedHttpServer(contentType, ProcessStream(protocol));
        using SandboxClient client = Client(server.Port, protocol, TimeSpan.FromSeconds(5));
        var seen = new List<SandboxProcessEvent>();

        await foreach (SandboxProcessEvent e in client.Processes.StartAsync(SandboxProcessStartInfo.ForCommand("echo héllo")).WithCancellation(default))
        {
            seen.Add(e);
        }

        Assert.Equal(Pid, Assert.IsType<SandboxProcessStarted>(seen[0]).Pid);
        Assert.Equal("héllo\n", string.Concat(seen.OfType<SandboxProcessOutput>().Select(o => o.Text)));
        SandboxProcessExit exit = Assert.IsType<SandboxProcessExit>(seen[^1]);
        Assert.Equal(3, exit.ExitCode);
        Assert.True(exit.Exited);

        (string head, byte[] body) = Split(Assert.Single(server.Requests));
        Assert.StartsWith("POST /sandboxagent.Process/Start HTTP/1.1\r\n", head, StringComparison.Ordinal);
        Assert.Contains($"\r\nContent-Type: {contentType}\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nConnect-Protocol-Version: 1\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nKeepalive-Ping-Interval: ", head, StringComparison.OrdinalIgnoreCase);
        // One envelope: flags 0, the length, the StartRequest.
        Assert.Equal(0, body[0]);
        Assert.Equal(body.Length - 5, (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)));
        // The command line is one argument of bash -l -c, whatever the codec.
        Assert.Contains("echo héllo", Encoding.UTF8.GetString(body[5..]), StringComparison.Ordinal);
        if (protocol == SandboxProtocol.ConnectJson)
        {
            Assert.StartsWith("{ \"process\": { \"cmd\": \"/bin/bash\"", Encoding.UTF8.GetString(body[5..]), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(SandboxProtocol.Connect, "application/connect+proto")]
    [InlineData(SandboxProtocol.ConnectJson, "application/connect+json")]
    public async Task An_error_in_the_end_of_stream_message_is_the_calls_status(SandboxProtocol protocol, string contentType)
    {
        byte[] body = Envelope(0x02, Utf8("{\"error\":{\"code\":\"not_found\",\"message\":\"process with pid 7 not found\"},\"metadata\":{\"x-trace\":[\"1\"]}}"));
        await using var server = new ScriptedHttpServer(contentType, body);
        using SandboxClient client = Client(server.Port, protocol, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SandboxException>(async () =>
        {
            await foreach (SandboxProcessEvent e in client.Processes.ConnectAsync(SandboxProcessSelector.ByPid(7)).WithCancellation(default))
            {
                Assert.Fail($"no event was sent, but {e} came out");
            }
        }).WaitAsync(Bound);

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Contains("process with pid 7 not found", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SandboxProtocol.Connect, "409 Conflict", "already_exists", SandboxErrorCode.AlreadyExists)]
    [InlineData(SandboxProtocol.ConnectJson, "400 Bad Request", "invalid_argument", SandboxErrorCode.InvalidArgument)]
    [InlineData(SandboxProtocol.ConnectJson, "504 Gateway Timeout", "deadline_exceeded", SandboxErrorCode.DeadlineExceeded)]
    public async Task A_unary_error_is_the_code_of_its_JSON_body(SandboxProtocol protocol, string status, string code, SandboxErrorCode expected)
    {
        await using var server = new ScriptedHttpServer("application/json", Utf8($"{{\"code\":\"{code}\",\"message\":\"said the agent\",\"details\":[]}}"), status);
        using SandboxClient client = Client(server.Port, protocol, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.CreateDirectoryAsync("/home/user/d")).WaitAsync(Bound);

        Assert.Equal(expected, error.Code);
    }

    [Theory]
    [InlineData(SandboxProtocol.Connect, "404 Not Found")]
    [InlineData(SandboxProtocol.ConnectJson, "200 OK")]
    public async Task A_web_page_is_not_a_sandbox_agent(SandboxProtocol protocol, string status)
    {
        await using var server = new ScriptedHttpServer("text/html", Utf8("<html><body>Welcome to nginx!</body></html>"), status);
        using SandboxClient client = Client(server.Port, protocol, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync("/home/user")).WaitAsync(Bound);

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains("not a sandbox agent", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("<html>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SandboxProtocol.Connect)]
    [InlineData(SandboxProtocol.ConnectJson)]
    public async Task A_stream_cut_before_its_end_of_stream_message_names_the_pid(SandboxProtocol protocol)
    {
        byte[] whole = ProcessStream(protocol);
        byte[] cut = whole[..^(5 + 2)]; // everything but the end-of-stream envelope: the connection closes after the exit
        byte[] cutEarlier = protocol == SandboxProtocol.Connect ? whole[..20] : whole[..60]; // inside the output
        foreach (byte[] body in new[] { cut, cutEarlier })
        {
            await using var server = new ScriptedHttpServer(protocol == SandboxProtocol.Connect ? "application/connect+proto" : "application/connect+json", body);
            using SandboxClient client = Client(server.Port, protocol, TimeSpan.FromSeconds(5));
            var seen = new List<SandboxProcessEvent>();

            Exception? error = await Record.ExceptionAsync(async () =>
            {
                await foreach (SandboxProcessEvent e in client.Processes.StartAsync(SandboxProcessStartInfo.ForCommand("true")).WithCancellation(default))
                {
                    seen.Add(e);
                }
            }).WaitAsync(Bound);

            if (body == cut)
            {
                // The exit arrived: the process's story is complete, whatever happens to the call after it.
                Assert.Null(error);
                Assert.IsType<SandboxProcessExit>(seen[^1]);
            }
            else
            {
                SandboxException sandboxError = Assert.IsType<SandboxException>(error);
                Assert.Contains($"pid {Pid}", sandboxError.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(seen, e => e is SandboxProcessExit);
            }
        }
    }
}
