using System.Text;
using System.Text.RegularExpressions;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.EndToEnd.Faults;
using ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

namespace ScaleBox.Sandbox.Tests.EndToEnd.GrpcWeb;

/// <summary>
/// What a gRPC-Web session's unary call puts on the wire and how it reads what comes back, against a
/// scripted server (TEST-ONLY fault injection: it answers with fixed bytes written here by hand in
/// the shapes of the gRPC-Web protocol). The same calls against the real agent are covered by the
/// [BothProtocols] end-to-end tests; its streams still go through Grpc.Net.Client (BadFrameTests).
/// </summary>
public sealed class GrpcWebUnaryWireTests
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    const string Token = "wire-token";
    const string GrpcWeb = "application/grpc-web+proto";

    static SandboxClient Client(int port, TimeSpan timeout) =>
        new(new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{port}"), new AccessToken(Token)) { Protocol = SandboxProtocol.GrpcWeb, Timeout = timeout });

    static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    static byte[] Trailers(string lines) => BadFrameTests.Frame(0x80, Ascii(lines));

    // StatResponse{entry=1: EntryInfo{name=1: "f.txt", type=2: FILE, path=3: "/home/user/f.txt", size=4: 42}}, encoded by hand from the schema.
    static byte[] StatAnswer() => BadFrameTests.Frame(0, BadFrameTests.Field(1,
        [.. BadFrameTests.Field(1, Ascii("f.txt")), 0x10, 1, .. BadFrameTests.Field(3, Ascii("/home/user/f.txt")), 0x20, 42]));

    static (string Head, byte[] Body) Split(byte[] request)
    {
        int end = request.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        return (Encoding.ASCII.GetString(request, 0, end), request[end..]);
    }

    [Fact]
    public async Task A_unary_call_is_one_POST_of_the_framed_message_with_the_token_and_the_timeout()
    {
        await using var server = new ScriptedHttpServer(GrpcWeb, [.. StatAnswer(), .. Trailers("grpc-status: 0\r\n")]);
        using SandboxClient client = Client(server.Port, TimeSpan.FromSeconds(7));

        var item = await client.Files.GetItemAsync("/home/user/f.txt").WaitAsync(Bound);

        Assert.Equal("f.txt", item.Name);
        Assert.Equal(42, item.Length);
        (string head, byte[] body) = Split(Assert.Single(server.Requests));
        Assert.StartsWith("POST /sandboxagent.Filesystem/Stat HTTP/1.1\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/grpc-web\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"\r\nX-Access-Token: {Token}\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nAuthorization: Bearer root\r\n", head, StringComparison.OrdinalIgnoreCase);
        // The session's 7 s less what passed before sending, in milliseconds.
        Match timeout = Regex.Match(head, @"\r\ngrpc-timeout: (\d+)m\r\n", RegexOptions.IgnoreCase);
        Assert.True(timeout.Success, head);
        Assert.InRange(long.Parse(timeout.Groups[1].Value), 1, 7000);
        // StatRequest{path=1: "/home/user/f.txt"} in one uncompressed frame.
        Assert.Equal(BadFrameTests.Frame(0, BadFrameTests.Field(1, Ascii("/home/user/f.txt"))), body);
    }

    [Fact]
    public async Task The_agents_status_in_the_trailers_is_the_error()
    {
        await using var server = new ScriptedHttpServer(GrpcWeb, Trailers("grpc-status: 5\r\ngrpc-message: no such file: caf%C3%A9\r\n"));
        using SandboxClient client = Client(server.Port, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync("/home/user/café")).WaitAsync(Bound);

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
        Assert.Equal("no such file: café", error.ServerMessage);
    }

    [Theory]
    [InlineData("404 Not Found")]
    [InlineData("200 OK")]
    public async Task A_web_page_is_not_a_sandbox_agent(string status)
    {
        await using var server = new ScriptedHttpServer("text/html", Ascii("<html><body>Welcome to nginx!</body></html>"), status);
        using SandboxClient client = Client(server.Port, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync("/home/user")).WaitAsync(Bound);

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains("not a sandbox agent", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("<html>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_that_cannot_reach_the_agent_is_said_as_such()
    {
        await using var server = new ScriptedHttpServer("text/html", Ascii("<html>Bad Gateway</html>"), "502 Bad Gateway");
        using SandboxClient client = Client(server.Port, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync("/home/user")).WaitAsync(Bound);

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains("HTTP 502", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_runs_out_of_the_sessions_timeout_not_of_a_connection()
    {
        // Connections wait in its backlog, never accepted: the request goes out, nothing comes back.
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            using SandboxClient client = Client(((System.Net.IPEndPoint)silent.LocalEndpoint).Port, TimeSpan.FromSeconds(1));

            var error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync("/home/user")).WaitAsync(Bound);

            // Not Unavailable: the socket read the deadline cancels is no failed connection.
            Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
            Assert.Contains("did not answer in time", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task A_call_cancelled_by_its_caller_is_a_cancellation()
    {
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            using SandboxClient client = Client(((System.Net.IPEndPoint)silent.LocalEndpoint).Port, TimeSpan.FromSeconds(30));
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Files.GetItemAsync("/home/user", cancel.Token)).WaitAsync(Bound);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task An_answer_cut_inside_its_message_is_a_broken_connection()
    {
        byte[] whole = StatAnswer();
        await using var server = new ScriptedHttpServer(GrpcWeb, whole[..^4]);
        using SandboxClient client = Client(server.Port, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync("/home/user/f.txt")).WaitAsync(Bound);

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains("ends in the middle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_that_ends_without_trailers_is_not_taken_for_a_success()
    {
        await using var server = new ScriptedHttpServer(GrpcWeb, StatAnswer());
        using SandboxClient client = Client(server.Port, TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync("/home/user/f.txt")).WaitAsync(Bound);
    }
}
