using ScaleBox.Sandbox.Protocol;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent;

/// <summary>
/// The agent as scripts and the Pester tests use it: a separate process whose first stdout line
/// announces the port, guarded by a token from --token, SBX_AGENT_TOKEN, or one it makes up.
/// </summary>
public sealed class AgentProcessTests : IDisposable
{
    static readonly Regex ListeningLine = new(@"^Listening on http://127\.0\.0\.1:(?<port>\d+)$");

    readonly string _root = Path.Combine(Path.GetTempPath(), "sbx-agent-process-" + Guid.NewGuid().ToString("N"));

    string Home => Path.Combine(_root, "home");

    [Fact]
    public async Task Announces_its_port_first_and_requires_the_token_from_the_command_line()
    {
        const string token = "cli-token-5f2c9a";
        await using var agent = AgentProcess.Start(["--port", "0", "--token", token, "--home", Home], tokenVariable: null);

        int port = await ReadAnnouncedPortAsync(agent);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        // /health is open, as on the real agent: no token, 200, "OK".
        using (HttpResponseMessage health = await http.GetAsync(AgentHttpRoutes.Health))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("OK", await health.Content.ReadAsStringAsync());
        }

        // The same well-formed gRPC-Web call: 401 without the token, through with it. Sending both
        // shows that the 401 comes from the missing token and not from a malformed request.
        using (HttpResponseMessage anonymous = await http.SendAsync(GrpcWebStat(Home, accessToken: null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        using (HttpResponseMessage authorised = await http.SendAsync(GrpcWebStat(Home, accessToken: token)))
        {
            Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);
            Assert.Equal("0", await GrpcStatusAsync(authorised)); // grpc-status OK: the Stat itself succeeded
        }

        await AssertTokenIsTheOneInForceAsync(port, token);
    }

    [Fact]
    public async Task Takes_the_token_from_SBX_AGENT_TOKEN_when_none_is_given_and_does_not_print_it()
    {
        const string token = "env-token-81d07e";
        await using var agent = AgentProcess.Start(["--port", "0", "--home", Home], tokenVariable: token);

        int port = await ReadAnnouncedPortAsync(agent);
        await AssertTokenIsTheOneInForceAsync(port, token);

        // Stopped gracefully, the agent has printed all it ever will: a token it did not make up
        // is the user's secret and must not be echoed.
        (int exitCode, string rest) = await agent.StopAsync();
        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("Access token", rest, StringComparison.Ordinal);
        Assert.DoesNotContain(token, rest, StringComparison.Ordinal);
        Assert.DoesNotContain(token, agent.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Makes_up_a_token_and_prints_it_when_given_none()
    {
        await using var agent = AgentProcess.Start(["--port", "0", "--home", Home], tokenVariable: null);

        int port = await ReadAnnouncedPortAsync(agent);
        Assert.Equal($"Home {Home}", await agent.ReadLineStartingWithAsync("Home "));

        string line = await agent.ReadLineStartingWithAsync("Access token ");
        string token = line["Access token ".Length..];
        Assert.Matches("^[0-9a-f]{32}$", token);

        await AssertTokenIsTheOneInForceAsync(port, token);
    }

    [Fact]
    public async Task Refuses_a_bad_option_with_exit_code_2_and_a_message_naming_it()
    {
        await using var agent = AgentProcess.Start(["--port", "70000", "--home", Home], tokenVariable: null);

        (int exitCode, string output) = await agent.WaitForExitAsync();

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, output); // nothing on stdout: a script must not mistake it for an announcement
        Assert.Contains("70000", agent.StandardError, StringComparison.Ordinal);
    }

    static async Task<int> ReadAnnouncedPortAsync(AgentProcess agent)
    {
        string first = await agent.ReadLineAsync();
        Match match = ListeningLine.Match(first);
        Assert.True(match.Success, $"The first stdout line should be 'Listening on http://127.0.0.1:PORT', was '{first}'.");
        int port = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(port, 1, 65535); // --port 0 must be replaced by the port actually bound
        return port;
    }

    /// <summary>The token works through the client library, and another one is refused.</summary>
    async Task AssertTokenIsTheOneInForceAsync(int port, string token)
    {
        using (SandboxClient client = NewClient(port, token))
        {
            SandboxItem home = await client.Files.GetItemAsync(Home);
            Assert.Equal(SandboxItemType.Directory, home.Type);
        }
        using (SandboxClient intruder = NewClient(port, token + "-wrong"))
        {
            SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => intruder.Files.GetItemAsync(Home));
            Assert.Equal(SandboxErrorCode.Unauthenticated, error.Code);
        }
    }

    static SandboxClient NewClient(int port, string token) =>
        new(new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{port}"), new AccessToken(token))
        {
            Timeout = TimeSpan.FromSeconds(15),
        });

    /// <summary>A hand-built gRPC-Web request for Filesystem/Stat, so the status code can be seen as sent.</summary>
    static HttpRequestMessage GrpcWebStat(string path, string? accessToken)
    {
        // StatRequest { path = 1 }: tag 0x0A, varint length, UTF-8 bytes.
        byte[] pathBytes = Encoding.UTF8.GetBytes(path);
        var message = new List<byte> { 0x0A };
        for (uint length = (uint)pathBytes.Length; ; length >>= 7)
        {
            if (length < 0x80) { message.Add((byte)length); break; }
            message.Add((byte)(length & 0x7F | 0x80));
        }
        message.AddRange(pathBytes);

        // gRPC-Web frame: flag byte 0 (data), 4-byte big-endian length, message.
        byte[] frame = new byte[5 + message.Count];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Count);
        message.CopyTo(frame, 5);

        var request = new HttpRequestMessage(HttpMethod.Post, "sandboxagent.Filesystem/Stat")
        {
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc-web+proto");
        request.Headers.Add("X-Grpc-Web", "1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "root");
        if (accessToken is not null)
        {
            request.Headers.Add("X-Access-Token", accessToken);
        }
        return request;
    }

    /// <summary>
    /// grpc-status of a gRPC-Web response: in the headers of a trailers-only response, else in the
    /// trailer frame at the end of the body (flag 0x80, then "name: value" lines).
    /// </summary>
    static async Task<string?> GrpcStatusAsync(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("grpc-status", out IEnumerable<string>? values))
        {
            return values.Single();
        }
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        int offset = 0;
        while (offset + 5 <= body.Length)
        {
            byte flag = body[offset];
            int length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            if ((flag & 0x80) != 0)
            {
                foreach (string trailer in Encoding.ASCII.GetString(body, offset + 5, length).Split("\r\n"))
                {
                    if (trailer.StartsWith("grpc-status:", StringComparison.OrdinalIgnoreCase))
                    {
                        return trailer["grpc-status:".Length..].Trim();
                    }
                }
            }
            offset += 5 + length;
        }
        return null;
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
