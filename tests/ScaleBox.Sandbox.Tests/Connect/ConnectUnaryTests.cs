using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>
/// The agent's Filesystem service over Connect's unary shape, as the official SDKs and the API
/// doc's curl examples call it: POST /sandboxagent.Filesystem/Method with a JSON or binary body,
/// over HTTP/1.1 on the agent's first port.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ConnectUnaryTests(LocalAgentFixture agent) : IDisposable
{
    // A timestamp with a fraction of microseconds: Timestamps must come out in RFC 3339 with nanoseconds.
    static readonly DateTime KnownWriteTime = new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1234567);

    readonly HttpClient _http = new() { BaseAddress = agent.HttpAddress, Timeout = TimeSpan.FromSeconds(15) };

    Task<HttpResponseMessage> CallAsync(string procedure, string json, string contentType = "application/json") =>
        _http.SendAsync(ConnectWire.Json(procedure, json, agent.AccessToken, contentType));

    static string JsonString(string value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task Stat_answers_in_proto3_canonical_JSON()
    {
        string path = Path.Combine(agent.NewFolder("connect-stat"), "notes.txt");
        await File.WriteAllTextAsync(path, "twelve bytes");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetLastWriteTimeUtc(path, KnownWriteTime);

        using HttpResponseMessage response = await CallAsync("sandboxagent.Filesystem/Stat", $$"""{"path":{{JsonString(path)}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement entry = body.RootElement.GetProperty("entry");
        Assert.Equal("notes.txt", entry.GetProperty("name").GetString());
        Assert.Equal(path, entry.GetProperty("path").GetString());
        Assert.Equal("FILE_TYPE_FILE", entry.GetProperty("type").GetString()); // enums by name
        Assert.Equal(JsonValueKind.String, entry.GetProperty("size").ValueKind); // int64 as a string
        Assert.Equal("12", entry.GetProperty("size").GetString());
        Assert.Equal(420, entry.GetProperty("mode").GetInt32()); // 0644; uint32 stays a number
        Assert.Equal("-rw-r--r--", entry.GetProperty("permissions").GetString());
        Assert.Equal("2021-03-04T05:06:07.123456700Z", entry.GetProperty("modifiedTime").GetString()); // lowerCamelCase, RFC 3339
        Assert.False(entry.TryGetProperty("modified_time", out _));
        Assert.False(entry.TryGetProperty("symlinkTarget", out _)); // unset optional fields are left out
    }

    [Fact]
    public async Task ListDir_honours_depth_and_names_directories_by_their_enum()
    {
        string root = agent.NewFolder("connect-list");
        Directory.CreateDirectory(Path.Combine(root, "sub", "deeper"));
        File.WriteAllText(Path.Combine(root, "a.txt"), "a");
        File.WriteAllText(Path.Combine(root, "sub", "b.txt"), "b");

        async Task<Dictionary<string, string?>> ListAsync(int depth)
        {
            using HttpResponseMessage response = await CallAsync(
                "sandboxagent.Filesystem/ListDir", $$"""{"path":{{JsonString(root)}},"depth":{{depth}}}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.GetProperty("entries").EnumerateArray().ToDictionary(
                e => Path.GetRelativePath(root, e.GetProperty("path").GetString()!),
                e => e.GetProperty("type").GetString());
        }

        Dictionary<string, string?> one = await ListAsync(1);
        Dictionary<string, string?> two = await ListAsync(2);

        Assert.Equal(["a.txt", "sub"], one.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("FILE_TYPE_DIRECTORY", one["sub"]);
        Assert.Equal(["a.txt", "sub", "sub/b.txt", "sub/deeper"], two.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("FILE_TYPE_DIRECTORY", two["sub/deeper"]);
    }

    [Fact]
    public async Task MakeDir_on_an_existing_directory_is_409_already_exists()
    {
        string path = agent.NewFolder("connect-mkdir");

        using HttpResponseMessage response = await CallAsync("sandboxagent.Filesystem/MakeDir", $$"""{"path":{{JsonString(path)}}}""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("already_exists", body.RootElement.GetProperty("code").GetString());
        Assert.Contains(path, body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stat_of_a_missing_path_is_404_not_found()
    {
        string path = Path.Combine(agent.NewFolder("connect-missing"), "nothing-here");

        using HttpResponseMessage response = await CallAsync("sandboxagent.Filesystem/Stat", $$"""{"path":{{JsonString(path)}}}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("not_found", body.RootElement.GetProperty("code").GetString());
        Assert.Equal($"path not found: {path}", body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_file_system_exception_is_translated_as_over_gRPC()
    {
        // Directory.CreateDirectory below a dangling link (the stat before it finds nothing there)
        // throws DirectoryNotFoundException, which ErrorTranslationInterceptor turns into
        // not_found: Connect calls pass the same interceptors.
        string folder = agent.NewFolder("connect-translate");
        string dangling = Path.Combine(folder, "dangling");
        File.CreateSymbolicLink(dangling, Path.Combine(folder, "missing"));

        using HttpResponseMessage response = await CallAsync("sandboxagent.Filesystem/MakeDir", $$"""{"path":{{JsonString(dangling + "/sub")}}}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("not_found", body.RootElement.GetProperty("code").GetString());
        Assert.Contains(dangling, body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_fields_are_ignored()
    {
        string path = agent.NewFolder("connect-unknown");

        using HttpResponseMessage response = await CallAsync(
            "sandboxagent.Filesystem/Stat", $$$"""{"path":{{{JsonString(path)}}},"noSuchField":1,"nested":{"list":[1,{"deep":true}]}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_charset_parameter_and_the_protocol_version_header_are_accepted()
    {
        string path = agent.NewFolder("connect-charset");
        HttpRequestMessage request = ConnectWire.Json(
            "sandboxagent.Filesystem/Stat", $$"""{"path":{{JsonString(path)}}}""", agent.AccessToken, "application/json; charset=utf-8");
        request.Headers.Add("Connect-Protocol-Version", "1");

        using HttpResponseMessage response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_binary_proto_call_round_trips_and_describes_what_the_JSON_call_does()
    {
        string path = Path.Combine(agent.NewFolder("connect-proto"), "data.bin");
        await File.WriteAllBytesAsync(path, new byte[300]);
        MessageDescriptor statRequest = AgentMessages.Find("StatRequest");
        MessageDescriptor statResponse = AgentMessages.Find("StatResponse");
        IMessage request = statRequest.Parser.ParseFrom(ByteString.Empty);
        statRequest.FindFieldByName("path").Accessor.SetValue(request, path);

        using HttpResponseMessage binary = await _http.SendAsync(
            ConnectWire.Request("sandboxagent.Filesystem/Stat", request.ToByteArray(), "application/proto", agent.AccessToken));
        using HttpResponseMessage json = await CallAsync("sandboxagent.Filesystem/Stat", $$"""{"path":{{JsonString(path)}}}""");

        Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
        Assert.Equal("application/proto", binary.Content.Headers.ContentType?.MediaType);
        IMessage response = statResponse.Parser.ParseFrom(await binary.Content.ReadAsByteArrayAsync());
        var entry = (IMessage)statResponse.FindFieldByName("entry").Accessor.GetValue(response);
        Assert.Equal("data.bin", entry.Descriptor.FindFieldByName("name").Accessor.GetValue(entry));
        Assert.Equal(300L, entry.Descriptor.FindFieldByName("size").Accessor.GetValue(entry));
        Assert.Equal(await json.Content.ReadAsStringAsync(), JsonFormatter.Default.Format(response));
    }

    [Fact]
    public async Task A_gzip_request_body_is_accepted_and_an_unknown_encoding_is_501_unimplemented()
    {
        string path = agent.NewFolder("connect-gzip");
        byte[] json = Encoding.UTF8.GetBytes($$"""{"path":{{JsonString(path)}}}""");
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }
        HttpRequestMessage gzipped = ConnectWire.Request("sandboxagent.Filesystem/Stat", compressed.ToArray(), "application/json", agent.AccessToken);
        gzipped.Content!.Headers.ContentEncoding.Add("gzip");
        HttpRequestMessage brotli = ConnectWire.Request("sandboxagent.Filesystem/Stat", json, "application/json", agent.AccessToken);
        brotli.Content!.Headers.ContentEncoding.Add("br");

        using HttpResponseMessage accepted = await _http.SendAsync(gzipped);
        using HttpResponseMessage refused = await _http.SendAsync(brotli);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.NotImplemented, refused.StatusCode);
        Assert.Contains("\"unimplemented\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-0c1d")]
    public async Task Without_the_right_token_a_Connect_call_is_401(string? token)
    {
        using HttpResponseMessage response = await _http.SendAsync(
            ConnectWire.Json("sandboxagent.Filesystem/Stat", $$"""{"path":{{JsonString(agent.Home)}}}""", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, body.RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_call_with_a_Connect_timeout_it_meets_succeeds()
    {
        HttpRequestMessage request = ConnectWire.Json("sandboxagent.Filesystem/Stat", $$"""{"path":{{JsonString(agent.Home)}}}""", agent.AccessToken);
        request.Headers.Add("Connect-Timeout-Ms", "15000");

        using HttpResponseMessage response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("Connect-Timeout-Ms", "soon")]
    [InlineData("Connect-Timeout-Ms", "12345678901")] // 11 digits: more than the spec allows
    [InlineData("Connect-Protocol-Version", "2")]
    public async Task A_malformed_protocol_header_is_400_invalid_argument(string header, string value)
    {
        HttpRequestMessage request = ConnectWire.Json("sandboxagent.Filesystem/Stat", $$"""{"path":{{JsonString(agent.Home)}}}""", agent.AccessToken);
        request.Headers.Add(header, value);

        using HttpResponseMessage response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"invalid_argument\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json", "{\"path\":")]
    [InlineData("application/json", "")]
    [InlineData("application/json", "{\"path\":42}")]
    [InlineData("application/json", "[]")]
    [InlineData("application/proto", "\u000a\u0005ab")] // field 1 announces 5 bytes, 2 follow
    public async Task A_malformed_body_is_400_invalid_argument(string contentType, string body)
    {
        using HttpResponseMessage response = await _http.SendAsync(
            ConnectWire.Request("sandboxagent.Filesystem/Stat", Encoding.UTF8.GetBytes(body), contentType, agent.AccessToken));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_argument", error.RootElement.GetProperty("code").GetString());
        Assert.Contains("sandboxagent.StatRequest", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sandboxagent.Filesystem/NoSuchMethod")]
    [InlineData("sandboxagent.NoSuchService/Stat")]
    [InlineData("sandboxagent.filesystem/stat")] // procedure paths are case-sensitive, as in connect-go
    public async Task An_unknown_procedure_is_404_unimplemented(string procedure)
    {
        using HttpResponseMessage response = await CallAsync(procedure, "{}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unimplemented", body.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_unary_method_called_in_the_streaming_shape_is_415_naming_the_unary_content_types()
    {
        using HttpResponseMessage response = await _http.SendAsync(ConnectWire.Request(
            "sandboxagent.Filesystem/Stat", ConnectWire.Envelopes("{}"u8.ToArray()), "application/connect+json", agent.AccessToken));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/json, application/proto", Assert.Single(response.Headers.GetValues("Accept-Post")));
    }

    public void Dispose() => _http.Dispose();
}
