using System.Net;
using System.Text;
using ScaleBox.Sandbox.Agent.Auth;
using ScaleBox.Sandbox.Agent.Filesystem;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// The longest path the agent accepts (4096 bytes) makes a URL three times as long once every byte
/// is percent-encoded, as a non-ASCII name is. The real agent (Go's net/http, 1 MB of headers)
/// serves it; Kestrel's default request line (8 KiB) would answer 414 first.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class LongPathUrlTests(LocalAgentFixture agent)
{
    const string Content = "at the end of a long path";

    /// <summary>A file whose absolute path is within 20 bytes of the limit, every name in two-byte characters.</summary>
    string LongestFile()
    {
        string path = agent.NewFolder("long-url");
        string name = new('é', 120); // 240 bytes
        while (Encoding.UTF8.GetByteCount(path) + 1 + 240 + 1 + 20 <= PathResolver.MaxPathBytes)
        {
            path = Path.Combine(path, name);
        }
        Directory.CreateDirectory(path);
        int left = PathResolver.MaxPathBytes - Encoding.UTF8.GetByteCount(path) - 1;
        string file = Path.Combine(path, new string('ü', Math.Min((left - 4) / 2, PathResolver.MaxNameBytes / 2)));
        Assert.InRange(Encoding.UTF8.GetByteCount(file), PathResolver.MaxPathBytes - 20, PathResolver.MaxPathBytes);
        File.WriteAllText(file, Content);
        return file;
    }

    [Fact]
    public async Task A_download_of_the_longest_path_is_served()
    {
        string file = LongestFile();
        using var client = new FileEndpointClient(agent);
        Assert.True(FileEndpointClient.DownloadUrl(file).Length > 3 * 4000);

        using HttpResponseMessage response = await client.DownloadAsync(file);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Content, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_signed_download_of_the_longest_path_is_served()
    {
        string file = LongestFile();
        using var client = new FileEndpointClient(agent, authenticated: false);
        string signature = UrlSignature.Compute(UrlSignature.NormalizePath(file), "read", "root", agent.AccessToken, null);

        using HttpResponseMessage response = await client.Http.GetAsync(FileEndpointClient.DownloadUrl(file) + "?signature=" + Uri.EscapeDataString(signature));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Content, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_upload_to_the_longest_path_named_in_the_query_is_written()
    {
        string file = LongestFile();
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage response = await client.Http.PostAsync("upload?path=" + Uri.EscapeDataString(file),
            new SdkMultipartContent(FormPart.File("upload.bin", Encoding.UTF8.GetBytes("replaced"))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("replaced", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task A_download_of_the_longest_path_is_served_on_the_HTTP2_port()
    {
        string file = LongestFile();
        using var http = new HttpClient
        {
            BaseAddress = agent.Http2Address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        http.DefaultRequestHeaders.Add("X-Access-Token", agent.AccessToken);

        using HttpResponseMessage response = await http.GetAsync(FileEndpointClient.DownloadUrl(file));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Content, await response.Content.ReadAsStringAsync());
    }
}
