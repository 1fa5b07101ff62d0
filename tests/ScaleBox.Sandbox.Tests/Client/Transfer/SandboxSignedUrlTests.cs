using System.Web;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>Signature v1 against the published test vectors, and the shape of the signed URLs.</summary>
public sealed class SandboxSignedUrlTests
{
    static readonly AccessToken Token = new("TOKEN123");
    static readonly SandboxEndpoint Endpoint = SandboxEndpoint.Parse("sbx-abc.example.scalebox.dev");

    [Theory]
    [InlineData("/root/up.txt", SandboxFileOperation.Write, "v1_z3RA5IL8RLA2zYnzjE7cVl/3ZQf+TG7kdmd1VpaBXWQ")]
    [InlineData("/root/a.txt", SandboxFileOperation.Read, "v1_y6IQwEsDj5gW/ibAv/MjCmevn4edah/U6arIQJqSVgc")]
    public void Matches_the_published_vectors(string path, SandboxFileOperation operation, string expected)
    {
        Assert.Equal(expected, SandboxSignedUrl.Sign(path, operation, "root", Token));
    }

    [Fact]
    public void Defaults_the_user_to_root_and_normalises_leading_slashes()
    {
        string expected = SandboxSignedUrl.Sign("/root/a.txt", SandboxFileOperation.Read, "root", Token);

        Assert.Equal(expected, SandboxSignedUrl.Sign("/root/a.txt", SandboxFileOperation.Read, null, Token));
        Assert.Equal(expected, SandboxSignedUrl.Sign("root/a.txt", SandboxFileOperation.Read, "", Token));
        Assert.Equal(expected, SandboxSignedUrl.Sign("///root/a.txt", SandboxFileOperation.Read, "root", Token));
    }

    [Fact]
    public void The_expiration_is_part_of_what_is_signed()
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);
        string raw = "/root/a.txt:read:root:TOKEN123:1900000000";
        string expected = "v1_" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw))).TrimEnd('=');

        Assert.Equal(expected, SandboxSignedUrl.Sign("/root/a.txt", SandboxFileOperation.Read, "root", Token, expires));
        Assert.NotEqual(SandboxSignedUrl.Sign("/root/a.txt", SandboxFileOperation.Read, "root", Token), expected);
    }

    [Fact]
    public void A_download_url_has_the_encoded_path_and_the_escaped_signature()
    {
        Uri url = SandboxSignedUrl.Create(Endpoint, "/root/a.txt", SandboxFileOperation.Read, null, Token);

        Assert.Equal("https://sbx-abc.example.scalebox.dev/download/root/a.txt"
            + "?signature=v1_y6IQwEsDj5gW%2FibAv%2FMjCmevn4edah%2FU6arIQJqSVgc&username=root", url.AbsoluteUri);
        Assert.Equal("v1_y6IQwEsDj5gW/ibAv/MjCmevn4edah/U6arIQJqSVgc", HttpUtility.ParseQueryString(url.Query)["signature"]);
    }

    [Fact]
    public void An_upload_url_carries_the_path_as_a_query_value()
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);
        Uri url = SandboxSignedUrl.Create(Endpoint, "/root/up.txt", SandboxFileOperation.Write, "user", Token, expires);

        Assert.Equal("/upload", url.AbsolutePath);
        var query = HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("/root/up.txt", query["path"]);
        Assert.Equal("1900000000", query["signature_expiration"]);
        Assert.Equal("user", query["username"]);
        Assert.Equal(SandboxSignedUrl.Sign("/root/up.txt", SandboxFileOperation.Write, "user", Token, expires), query["signature"]);
        Assert.Equal(new string?[] { "path", "signature", "signature_expiration", "username" }, query.AllKeys);
    }

    [Fact]
    public void Special_characters_are_percent_encoded_per_segment_and_signed_decoded()
    {
        const string path = "/root/dir with space/a#b%c?d ü.txt";
        Uri url = SandboxSignedUrl.Create(Endpoint, path, SandboxFileOperation.Read, null, Token);

        Assert.Equal("/download/root/dir%20with%20space/a%23b%25c%3Fd%20%C3%BC.txt", url.AbsolutePath);
        Assert.Equal(SandboxSignedUrl.Sign(path, SandboxFileOperation.Read, null, Token), HttpUtility.ParseQueryString(url.Query)["signature"]);
    }

    [Fact]
    public void Dot_segments_are_cleaned_before_signing_so_the_agent_sees_the_signed_path()
    {
        Uri url = SandboxSignedUrl.Create(Endpoint, "/root/x/../a.txt", SandboxFileOperation.Read, null, Token);

        Assert.Equal("/download/root/a.txt", url.AbsolutePath);
        Assert.Equal("v1_y6IQwEsDj5gW/ibAv/MjCmevn4edah/U6arIQJqSVgc", HttpUtility.ParseQueryString(url.Query)["signature"]);
    }

    [Fact]
    public void A_loopback_agent_keeps_its_http_base()
    {
        Uri url = SandboxSignedUrl.Create(SandboxEndpoint.Parse("127.0.0.1:49983"), "/a", SandboxFileOperation.Read, null, Token);

        Assert.StartsWith("http://127.0.0.1:49983/download/a?", url.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public void The_url_does_not_contain_the_token()
    {
        var token = new AccessToken("secret-token-value-0123");
        Uri url = SandboxSignedUrl.Create(Endpoint, "/a", SandboxFileOperation.Write, null, token, DateTimeOffset.UtcNow.AddHours(1));

        Assert.DoesNotContain("secret-token-value-0123", url.AbsoluteUri, StringComparison.Ordinal);
    }
}
