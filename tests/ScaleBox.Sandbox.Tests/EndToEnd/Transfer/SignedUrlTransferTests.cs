using System.Net;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>Signed URLs from the client work against the real agent with a bare HttpClient, and only as signed.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class SignedUrlTransferTests(LocalAgentFixture agent)
{
    /// <summary>No auth header of any kind: the URL alone must do.</summary>
    static HttpClient BareHttp() => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false });

    [Theory]
    [InlineData("plain.txt")]
    [InlineData("a b#c%d?e ü.txt")]
    public async Task A_signed_download_url_works_without_any_header(string name)
    {
        string remote = Path.Combine(agent.NewFolder("signed-dl"), name);
        await File.WriteAllTextAsync(remote, "signed content");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using HttpClient http = BareHttp();

        Uri url = client.Transfer.GetSignedUrl(remote, SandboxFileOperation.Read, TimeSpan.FromMinutes(5));
        using HttpResponseMessage response = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("signed content", await response.Content.ReadAsStringAsync());
        Assert.Equal("127.0.0.1", url.Host);
        Assert.DoesNotContain(agent.AccessToken, url.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_without_expiry_works_too()
    {
        string remote = Path.Combine(agent.NewFolder("signed-forever"), "f.txt");
        await File.WriteAllTextAsync(remote, "f");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using HttpClient http = BareHttp();

        using HttpResponseMessage response = await http.GetAsync(client.Transfer.GetSignedUrl(remote, SandboxFileOperation.Read));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_tampered_url_is_rejected()
    {
        string folder = agent.NewFolder("signed-tampered");
        string remote = Path.Combine(folder, "a.txt");
        await File.WriteAllTextAsync(remote, "a");
        await File.WriteAllTextAsync(Path.Combine(folder, "b.txt"), "b");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using HttpClient http = BareHttp();
        string url = client.Transfer.GetSignedUrl(remote, SandboxFileOperation.Read, TimeSpan.FromMinutes(5)).AbsoluteUri;

        string otherFile = url.Replace("/a.txt?", "/b.txt?", StringComparison.Ordinal);
        string laterExpiry = System.Text.RegularExpressions.Regex.Replace(url, "signature_expiration=(\\d+)", m => "signature_expiration=" + (long.Parse(m.Groups[1].Value) + 3600));
        string otherUser = url.Replace("username=root", "username=admin", StringComparison.Ordinal);
        int at = url.IndexOf("signature=v1_", StringComparison.Ordinal) + "signature=v1_".Length;
        string flipped = url[..at] + (url[at] == 'A' ? 'B' : 'A') + url[(at + 1)..];

        foreach (string tampered in new[] { otherFile, laterExpiry, otherUser, flipped })
        {
            Assert.NotEqual(url, tampered);
            using HttpResponseMessage response = await http.GetAsync(tampered);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task An_expired_url_is_rejected()
    {
        string remote = Path.Combine(agent.NewFolder("signed-expired"), "a.txt");
        await File.WriteAllTextAsync(remote, "a");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using HttpClient http = BareHttp();

        Uri expired = SandboxSignedUrl.Create(client.Endpoint, remote, SandboxFileOperation.Read, null,
            new AccessToken(agent.AccessToken), DateTimeOffset.UtcNow.AddMinutes(-1));
        using HttpResponseMessage response = await http.GetAsync(expired);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_url_does_not_allow_writing()
    {
        string remote = Path.Combine(agent.NewFolder("signed-read-only"), "w.txt");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using HttpClient http = BareHttp();
        Uri read = client.Transfer.GetSignedUrl(remote, SandboxFileOperation.Read, TimeSpan.FromMinutes(5));
        var asUpload = new Uri(client.Endpoint.BaseUri, "upload?path=" + Uri.EscapeDataString(remote) + "&" + read.Query.TrimStart('?'));

        using var form = new MultipartFormDataContent { { new ByteArrayContent([1]), "file", remote } };
        using HttpResponseMessage response = await http.PostAsync(asUpload, form);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(File.Exists(remote));
    }

    [Fact]
    public async Task A_signed_upload_url_writes_the_signed_path()
    {
        string remote = Path.Combine(agent.NewFolder("signed-up"), "up ü.txt");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        using HttpClient http = BareHttp();

        Uri url = client.Transfer.GetSignedUrl(remote, SandboxFileOperation.Write, TimeSpan.FromMinutes(5));
        using var form = new MultipartFormDataContent { { new StringContent("uploaded via signed url"), "file", "ignored.txt" } };
        using HttpResponseMessage response = await http.PostAsync(url, form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("uploaded via signed url", await File.ReadAllTextAsync(remote));
    }

    [Fact]
    public void A_lifetime_must_be_positive()
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);

        Assert.Throws<ArgumentOutOfRangeException>(() => client.Transfer.GetSignedUrl("/a", SandboxFileOperation.Read, TimeSpan.Zero));
    }
}
