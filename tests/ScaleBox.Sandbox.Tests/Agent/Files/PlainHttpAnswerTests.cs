using System.Net;
using System.Text.Json;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Connect;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// The plain HTTP answers in the real agent's shape and words: /health never cached, errors as
/// Go's jsonError writes them, and the 401s of the gate and of the file endpoints' own check.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class PlainHttpAnswerTests(LocalAgentFixture agent)
{
    [Fact]
    public async Task Health_is_OK_and_never_cached()
    {
        using var http = new HttpClient { BaseAddress = agent.HttpAddress };

        using HttpResponseMessage health = await http.GetAsync(AgentHttpRoutes.Health);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("OK", await health.Content.ReadAsStringAsync());
        Assert.True(health.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task An_error_is_a_JSON_line_that_must_not_be_sniffed()
    {
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage missing = await client.DownloadAsync(Path.Combine(agent.NewFolder("answers"), "missing.txt"));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/json; charset=utf-8", missing.Content.Headers.ContentType?.ToString());
        Assert.Equal("nosniff", Assert.Single(missing.Headers.GetValues("X-Content-Type-Options")));
        string body = await missing.Content.ReadAsStringAsync();
        Assert.EndsWith("}\n", body, StringComparison.Ordinal);
        Assert.Equal(404, JsonDocument.Parse(body).RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task The_gate_and_the_file_endpoints_refuse_in_the_real_agent_words()
    {
        string file = Path.Combine(agent.NewFolder("answers-auth"), "a.txt");
        await File.WriteAllTextAsync(file, "a");
        using var wrongToken = new FileEndpointClient(agent, accessToken: "not-the-token");
        using var noToken = new FileEndpointClient(agent, authenticated: false);
        using var http = new HttpClient { BaseAddress = agent.HttpAddress };

        using HttpResponseMessage wrongDownload = await wrongToken.DownloadAsync(file);
        using HttpResponseMessage unsignedDownload = await noToken.DownloadAsync(file);
        using HttpResponseMessage wrongRpc = await http.SendAsync(ConnectWire.Json("sandboxagent.Filesystem/Stat", "{\"path\":\"/\"}", "not-the-token"));

        Assert.Equal((401, "access token present in header but does not match"), await FileEndpointClient.ReadErrorAsync(wrongDownload));
        Assert.Equal((401, "missing signature query parameter"), await FileEndpointClient.ReadErrorAsync(unsignedDownload));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongRpc.StatusCode);
        Assert.Contains("unauthorized access, please provide a valid access token or method signing if supported",
            await wrongRpc.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
