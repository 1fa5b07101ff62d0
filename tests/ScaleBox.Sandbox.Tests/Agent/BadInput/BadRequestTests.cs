using ScaleBox.Sandbox.Protocol;
using System.Net;
using System.Text.Json;
using ScaleBox.Sandbox.Tests.Agent.Files;
using ScaleBox.Sandbox.Tests.Connect;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.BadInput;

/// <summary>
/// Malformed and hostile requests to the agent, sent by hand over a real socket: each is answered
/// with the caller's mistake (<c>invalid_argument</c> / 400), and nothing lands outside where the
/// caller could have written anyway.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class BadRequestTests(LocalAgentFixture agent) : IDisposable
{
    readonly HttpClient _http = new() { BaseAddress = agent.HttpAddress, Timeout = TimeSpan.FromSeconds(15) };

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData("sandboxagent.Process/SendSignal")]
    [InlineData("sandboxagent.Process/SendInput")]
    [InlineData("sandboxagent.Process/Update")]
    [InlineData("sandboxagent.Filesystem/Stat")]
    [InlineData("sandboxagent.Filesystem/MakeDir")]
    [InlineData("sandboxagent.Filesystem/Remove")]
    [InlineData("sandboxagent.Filesystem/Move")]
    public async Task An_empty_proto_body_is_invalid_argument(string procedure)
    {
        using HttpResponseMessage response = await _http.SendAsync(
            ConnectWire.Request(procedure, [], "application/proto", agent.AccessToken));

        Assert.Equal("invalid_argument", await ErrorCodeAsync(response));
    }

    [Theory]
    [InlineData("sandboxagent.Process/SendSignal", """{"process":{"pid":1}}""")] // a pid, but no signal
    [InlineData("sandboxagent.Process/SendInput", """{"process":{}}""")]
    [InlineData("sandboxagent.Process/Update", """{}""")]
    public async Task A_request_that_names_nothing_is_invalid_argument(string procedure, string json)
    {
        using HttpResponseMessage response = await _http.SendAsync(ConnectWire.Json(procedure, json, agent.AccessToken));

        // pid 1 is not one of the agent's processes: not_found is as fitting as invalid_argument there.
        Assert.Contains(await ErrorCodeAsync(response), new[] { "invalid_argument", "not_found" });
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Theory]
    [InlineData(100 * 1024, 'a')]   // far over PATH_MAX
    [InlineData(3000, 'é')]         // under PATH_MAX in characters, over it in UTF-8 bytes
    [InlineData(300, 'x')]          // one name over NAME_MAX
    public async Task An_over_long_path_is_invalid_argument_over_rpc(int length, char filler)
    {
        string path = "/tmp/" + new string(filler, length);

        foreach (string procedure in new[] { "sandboxagent.Filesystem/Stat", "sandboxagent.Filesystem/MakeDir", "sandboxagent.Filesystem/ListDir" })
        {
            using HttpResponseMessage response = await _http.SendAsync(
                ConnectWire.Json(procedure, JsonSerializer.Serialize(new { path }), agent.AccessToken));
            Assert.Equal("invalid_argument", await ErrorCodeAsync(response));
        }
        byte[] startRequest = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { process = new { cmd = "true", cwd = path } }));
        using HttpResponseMessage start = await _http.SendAsync(ConnectWire.Request("sandboxagent.Process/Start",
            ConnectWire.Envelopes(startRequest), "application/connect+json", agent.AccessToken));
        Assert.Contains("invalid_argument", await start.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_over_long_path_is_400_on_the_file_endpoints()
    {
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage download = await client.DownloadAsync("/tmp/" + new string('a', 5000));
        using HttpResponseMessage huge = await client.DownloadAsync("/tmp/" + new string('a', 100 * 1024));
        using HttpResponseMessage upload = await client.Http.PostAsync(AgentHttpRoutes.Upload,
            new SdkMultipartContent(FormPart.File("x.txt", "x"u8.ToArray()), FormPart.Field(AgentHttpRoutes.PathParameter, "/tmp/" + new string('a', 5000))));

        Assert.Equal(HttpStatusCode.BadRequest, download.StatusCode);
        // Past the server's URL limit the request line itself is refused: still the caller's mistake.
        Assert.Contains(huge.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.RequestUriTooLong });
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Contains("too long", (await FileEndpointClient.ReadErrorAsync(upload)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../{0}/x.txt")]
    [InlineData("sub/../../{0}/x.txt")]
    [InlineData("..\\{0}\\x.txt")]
    public async Task A_multipart_file_name_that_climbs_is_refused_and_writes_nothing(string shape)
    {
        // A folder beside the home: what "../" from the home would reach.
        string outside = Path.Combine(Path.GetDirectoryName(agent.Home)!, "outside-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(outside);
        string fileName = string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, Path.GetFileName(outside));
        string escapedTo = Path.Combine(outside, "x.txt"); // where the name points, from the home
        using var client = new FileEndpointClient(agent);
        try
        {
            using HttpResponseMessage upload = await client.Http.PostAsync(AgentHttpRoutes.Upload,
                new SdkMultipartContent(FormPart.File(fileName, "escaped"u8.ToArray())));

            Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
            Assert.Contains("..", (await FileEndpointClient.ReadErrorAsync(upload)).Message, StringComparison.Ordinal);
            Assert.False(File.Exists(escapedTo));
            Assert.Empty(Directory.GetFileSystemEntries(outside));
            Assert.Empty(FileEndpointClient.LeftoverTemporaryFiles(agent.Home));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task A_climbing_file_name_is_harmless_when_a_path_field_names_the_destination()
    {
        string folder = agent.NewFolder("upload-climb-path");
        string destination = Path.Combine(folder, "safe.txt");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.Http.PostAsync(AgentHttpRoutes.Upload,
            new SdkMultipartContent(FormPart.File("../../../../tmp/x", "ok"u8.ToArray()), FormPart.Field(AgentHttpRoutes.PathParameter, destination)));

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal("ok", await File.ReadAllTextAsync(destination));
    }

    [Fact]
    public async Task An_absolute_file_name_without_dot_dot_is_still_the_destination()
    {
        string destination = Path.Combine(agent.NewFolder("upload-absolute-name"), "named.txt");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.Http.PostAsync(AgentHttpRoutes.Upload,
            new SdkMultipartContent(FormPart.File(destination, "named"u8.ToArray())));

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal("named", await File.ReadAllTextAsync(destination));
    }

    /// <summary>The Connect error code of a unary answer (JSON <c>{"code": ...}</c>).</summary>
    static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        using JsonDocument json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("code").GetString()!;
    }
}
