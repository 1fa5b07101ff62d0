using System.Text.Json;
using ScaleBox.Sandbox.Tests.Connect.Probe;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>
/// The official Connect client for Node (the JS SDK's transport) against the agent and the probe
/// service, in JSON (as the JS SDK) and binary proto (as the Python SDK), over HTTP/1.1, and over
/// HTTP/2 for the client stream that only HTTP/2 can carry.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ConnectNodeInteropTests(LocalAgentFixture agent, ProbeHost probe) : IClassFixture<ProbeHost>
{
    [NodeInteropFact]
    public async Task The_Node_client_calls_the_Filesystem_service_and_reads_its_errors()
    {
        string folder = agent.NewFolder("connect-node");
        string file = Path.Combine(folder, "hello.txt");
        await File.WriteAllTextAsync(file, "hello");

        JsonElement seen = await NodeInterop.RunAsync("filesystem", agent.HttpAddress, AgentMessages.File, new
        {
            token = agent.AccessToken,
            file,
            folder,
            missing = Path.Combine(folder, "missing"),
        });

        foreach (string format in new[] { "json", "binary" })
        {
            JsonElement result = seen.GetProperty(format);
            JsonElement entry = result.GetProperty("stat").GetProperty("entry");
            Assert.Equal("hello.txt", entry.GetProperty("name").GetString());
            Assert.Equal("FILE_TYPE_FILE", entry.GetProperty("type").GetString());
            Assert.Equal("5", entry.GetProperty("size").GetString());
            Assert.Equal(["hello.txt"], result.GetProperty("listed").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("NotFound", result.GetProperty("missing").GetProperty("code").GetString());
            Assert.Equal($"path not found: {Path.Combine(folder, "missing")}", result.GetProperty("missing").GetProperty("message").GetString());
            Assert.Equal("AlreadyExists", result.GetProperty("existing").GetProperty("code").GetString());
        }
    }

    [NodeInteropFact]
    public async Task The_Node_client_reads_server_streams_their_errors_trailers_and_deadlines()
    {
        JsonElement seen = await NodeInterop.RunAsync("probe", probe.Address, ConnectProbeReflection.Descriptor, new { });

        foreach (string format in new[] { "json", "binary" })
        {
            JsonElement result = seen.GetProperty(format);
            Assert.Equal([1, 2, 3], result.GetProperty("counted").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal([1, 2], result.GetProperty("countedBeforeFailure").EnumerateArray().Select(e => e.GetInt32()));
            JsonElement failed = result.GetProperty("failed");
            Assert.Equal("NotFound", failed.GetProperty("code").GetString());
            Assert.Equal("failed after 2", failed.GetProperty("message").GetString());
            Assert.Equal("counted 2", failed.GetProperty("metadata").GetProperty(ProbeService.TrailerKey).GetString());
            Assert.Equal("DeadlineExceeded", result.GetProperty("late").GetProperty("code").GetString());
        }
    }

    [NodeInteropFact]
    public async Task A_Connect_input_stream_quiet_for_longer_than_Kestrels_body_rate_grace_is_not_cut()
    {
        // Kestrel cuts a request body that brings under 240 bytes/s once 5 s have passed, which
        // suits uploads; an input stream is quiet whenever its user is, and gRPC lifts the limit
        // for its streams. 6 s between lines: longer than the grace, so a cut connection shows.
        JsonElement seen = await NodeInterop.RunAsync("stream-input", agent.Http2Address, AgentMessages.File, new { token = agent.AccessToken, pauseMs = 6000, binaryOnly = true });

        JsonElement result = seen.GetProperty("binary");
        Assert.Equal(["one\n", "two\n", "three\n"], result.GetProperty("echoed").EnumerateArray().Select(e => e.GetString()));
        Assert.True(result.GetProperty("answered").GetBoolean());
    }

    [NodeInteropFact]
    public async Task The_Node_client_streams_input_over_HTTP2_and_each_piece_reaches_the_process_as_it_is_sent()
    {
        // Process/StreamInput is a client stream: Connect carries it over HTTP/2 only, where the
        // real agent (a connect-go server) takes it. Each line must reach `cat` while the request
        // is still open; the script sends the next line only once the last one came back.
        JsonElement seen = await NodeInterop.RunAsync("stream-input", agent.Http2Address, AgentMessages.File, new { token = agent.AccessToken, pauseMs = 0 });

        foreach (string format in new[] { "json", "binary" })
        {
            JsonElement result = seen.GetProperty(format);
            Assert.Equal(["one\n", "two\n", "three\n"], result.GetProperty("echoed").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("one\ntwo\nthree\n", result.GetProperty("output").GetString());
            Assert.True(result.GetProperty("answered").GetBoolean());
            JsonElement exit = result.GetProperty("exit");
            Assert.Equal(JsonValueKind.Object, exit.ValueKind);
            Assert.Equal("signal: killed", exit.GetProperty("status").GetString());
        }
    }
}
