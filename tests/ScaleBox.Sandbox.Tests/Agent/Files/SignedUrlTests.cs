using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ScaleBox.Sandbox.Agent.Auth;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>Signed URLs for /upload and /download, with no auth headers, against the real agent.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class SignedUrlTests(LocalAgentFixture agent)
{
    string Sign(string path, string operation, string user = "root", long? expiration = null) =>
        UrlSignature.Compute(UrlSignature.NormalizePath(path), operation, user, agent.AccessToken, expiration);

    static string Query(string signature, long? expiration = null, string? user = null)
    {
        var query = new StringBuilder("signature=" + Uri.EscapeDataString(signature));
        if (expiration is { } seconds)
        {
            query.Append("&signature_expiration=" + seconds.ToString(CultureInfo.InvariantCulture));
        }
        if (user is not null)
        {
            query.Append("&username=" + Uri.EscapeDataString(user));
        }
        return query.ToString();
    }

    static string UploadUrl(string path, string query) => "upload?path=" + Uri.EscapeDataString(path) + "&" + query;

    static string DownloadUrl(string path, string query) => FileEndpointClient.DownloadUrl(path) + "?" + query;

    async Task<string> FileAsync(string purpose, string content = "signed content")
    {
        string path = Path.Combine(agent.NewFolder(purpose), "ä file #1.txt");
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    static async Task AssertUnauthorizedAsync(HttpResponseMessage response, string? reason = null)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        (int code, string message) = await FileEndpointClient.ReadErrorAsync(response);
        Assert.Equal(401, code);
        if (reason is not null)
        {
            Assert.Equal(reason, message);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("root")]
    public async Task A_signed_download_needs_no_headers(string? user)
    {
        string path = await FileAsync("signed-read");
        using var client = new FileEndpointClient(agent, authenticated: false);

        using HttpResponseMessage response = await client.Http.GetAsync(DownloadUrl(path, Query(Sign(path, "read"), user: user)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("signed content", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_signed_upload_needs_no_headers()
    {
        string path = Path.Combine(agent.NewFolder("signed-write"), "up #1 ü.txt");
        using var client = new FileEndpointClient(agent, authenticated: false);

        using HttpResponseMessage response = await client.Http.PostAsync(UploadUrl(path, Query(Sign(path, "write"))),
            new SdkMultipartContent(FormPart.File(Path.GetFileName(path), "uploaded"u8.ToArray())));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("uploaded", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_signature_with_an_expiration_to_come_is_accepted_and_one_for_another_user_works_for_that_user()
    {
        string path = await FileAsync("signed-future");
        long later = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600;
        using var client = new FileEndpointClient(agent, authenticated: false);

        using HttpResponseMessage response = await client.Http.GetAsync(DownloadUrl(path, Query(Sign(path, "read", "user", later), later, "user")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_signed_upload_writes_the_signed_path_whatever_the_form_says()
    {
        string folder = agent.NewFolder("signed-redirect");
        string signed = Path.Combine(folder, "signed.txt"), elsewhere = Path.Combine(folder, "elsewhere.txt");
        using var client = new FileEndpointClient(agent, authenticated: false);

        using HttpResponseMessage response = await client.Http.PostAsync(UploadUrl(signed, Query(Sign(signed, "write"))),
            new SdkMultipartContent(FormPart.File(elsewhere, "content"u8.ToArray()), FormPart.Field("path", elsewhere)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("content", await File.ReadAllTextAsync(signed));
        Assert.False(File.Exists(elsewhere));
    }

    [Fact]
    public async Task A_tampered_signature_is_401()
    {
        string path = await FileAsync("signed-tampered");
        string signature = Sign(path, "read");
        string tampered = signature[..^1] + (signature[^1] == 'A' ? 'B' : 'A');
        using var client = new FileEndpointClient(agent, authenticated: false);

        using HttpResponseMessage response = await client.Http.GetAsync(DownloadUrl(path, Query(tampered)));

        await AssertUnauthorizedAsync(response, "invalid signature");
    }

    [Fact]
    public async Task A_signature_for_another_path_is_401_for_reading_and_writing()
    {
        string path = await FileAsync("signed-otherpath");
        string other = Path.Combine(Path.GetDirectoryName(path)!, "other.txt");
        using var client = new FileEndpointClient(agent, authenticated: false);

        using (HttpResponseMessage read = await client.Http.GetAsync(DownloadUrl(path, Query(Sign(other, "read")))))
        {
            await AssertUnauthorizedAsync(read, "invalid signature");
        }
        using (HttpResponseMessage write = await client.Http.PostAsync(UploadUrl(path, Query(Sign(other, "write"))),
            new SdkMultipartContent(FormPart.File("x", "overwritten"u8.ToArray()))))
        {
            await AssertUnauthorizedAsync(write, "invalid signature");
        }
        Assert.Equal("signed content", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_signature_for_the_other_operation_is_401()
    {
        string path = await FileAsync("signed-otherop");
        using var client = new FileEndpointClient(agent, authenticated: false);

        using (HttpResponseMessage read = await client.Http.GetAsync(DownloadUrl(path, Query(Sign(path, "write")))))
        {
            await AssertUnauthorizedAsync(read, "invalid signature");
        }
        using (HttpResponseMessage write = await client.Http.PostAsync(UploadUrl(path, Query(Sign(path, "read"))),
            new SdkMultipartContent(FormPart.File("x", "overwritten"u8.ToArray()))))
        {
            await AssertUnauthorizedAsync(write, "invalid signature");
        }
        Assert.Equal("signed content", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task An_expired_signature_is_401()
    {
        string path = await FileAsync("signed-expired");
        long earlier = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5;
        using var client = new FileEndpointClient(agent, authenticated: false);

        using HttpResponseMessage response = await client.Http.GetAsync(DownloadUrl(path, Query(Sign(path, "read", expiration: earlier), earlier)));

        await AssertUnauthorizedAsync(response, "signature is already expired");
    }

    [Fact]
    public async Task A_header_token_wins_over_a_signature()
    {
        string path = await FileAsync("signed-header");
        using var wrongHeader = new FileEndpointClient(agent, accessToken: "wrong-token");
        using var rightHeader = new FileEndpointClient(agent);

        // A wrong header token is refused even with a valid signature...
        using (HttpResponseMessage refused = await wrongHeader.Http.GetAsync(DownloadUrl(path, Query(Sign(path, "read")))))
        {
            await AssertUnauthorizedAsync(refused);
        }
        // ...and the right one needs no valid signature.
        using (HttpResponseMessage granted = await rightHeader.Http.GetAsync(DownloadUrl(path, Query("v1_nonsense"))))
        {
            Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        }
    }

    [Fact]
    public async Task A_signed_upload_to_a_relative_path_is_refused_as_ambiguous()
    {
        // "a.txt" and "/a.txt" sign alike; only an absolute or ~ path says which one is meant.
        using var client = new FileEndpointClient(agent, authenticated: false);

        using HttpResponseMessage response = await client.Http.PostAsync(UploadUrl("rel.txt", Query(Sign("rel.txt", "write"))),
            new SdkMultipartContent(FormPart.File("x", "x"u8.ToArray())));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(File.Exists(Path.Combine(agent.Home, "rel.txt")));
        Assert.False(File.Exists("/rel.txt"));
    }

    [Fact]
    public async Task RPC_paths_do_not_take_signed_URLs()
    {
        string signature = Sign("/", "read");
        using var client = new FileEndpointClient(agent, authenticated: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, "sandboxagent.Filesystem/Stat?" + Query(signature))
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc-web");

        using HttpResponseMessage response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
