using System.Text.Json;
using ScaleBox.Sandbox.Tests.Connect.Probe;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>
/// The official Connect client for Node (the JS SDK's transport) against the agent and the probe
/// service, in JSON (as the JS SDK) and binary proto (as the Python SDK), over HTTP/1.1.
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
}
