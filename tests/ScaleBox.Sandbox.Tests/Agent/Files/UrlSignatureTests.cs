using ScaleBox.Sandbox.Agent.Auth;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>The agent's signature code against the test vectors of wire-facts.md, and its order of checks.</summary>
public sealed class UrlSignatureTests
{
    const string Token = "TOKEN123";
    static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Theory]
    [InlineData("/root/up.txt", "write", "v1_z3RA5IL8RLA2zYnzjE7cVl/3ZQf+TG7kdmd1VpaBXWQ")]
    [InlineData("/root/a.txt", "read", "v1_y6IQwEsDj5gW/ibAv/MjCmevn4edah/U6arIQJqSVgc")]
    public void The_wire_facts_test_vectors_hold(string path, string operation, string expected)
    {
        Assert.Equal(expected, UrlSignature.Compute(path, operation, "root", Token, expiration: null));
    }

    [Fact]
    public void An_expiration_is_signed_as_the_last_field_in_decimal()
    {
        string withExpiration = UrlSignature.Compute("/root/a.txt", "read", "root", Token, 1_700_000_000);

        Assert.StartsWith("v1_", withExpiration, StringComparison.Ordinal);
        Assert.DoesNotContain('=', withExpiration);
        Assert.Equal(46, withExpiration.Length); // "v1_" + the 43 unpadded base64 characters of 32 bytes
        Assert.NotEqual(UrlSignature.Compute("/root/a.txt", "read", "root", Token, null), withExpiration);
        Assert.Equal(
            "v1_" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("/root/a.txt:read:root:TOKEN123:1700000000"u8)).TrimEnd('='),
            withExpiration);
    }

    [Theory]
    [InlineData("root/a.txt", "/root/a.txt")]
    [InlineData("/root/a.txt", "/root/a.txt")]
    [InlineData("///root/a.txt", "/root/a.txt")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    public void Paths_are_signed_as_a_slash_and_the_path_without_leading_slashes(string? path, string normalized)
    {
        Assert.Equal(normalized, UrlSignature.NormalizePath(path));
    }

    static SignedFileRequest Request(string? signature, string? expiration = null, string path = "/root/a.txt", string operation = "read", string user = "root") =>
        new(operation, path, signature, expiration, user);

    static string Sign(long? expiration = null, string path = "/root/a.txt", string operation = "read", string user = "root") =>
        UrlSignature.Compute(path, operation, user, Token, expiration);

    [Fact]
    public void A_valid_signature_without_expiration_is_granted()
    {
        Assert.Null(new SignedUrlVerifier(Token).Verify(Request(Sign()), Now));
    }

    [Fact]
    public void A_valid_signature_that_has_not_expired_is_granted()
    {
        long later = Now.ToUnixTimeSeconds() + 60;
        Assert.Null(new SignedUrlVerifier(Token).Verify(Request(Sign(later), later.ToString()), Now));
    }

    [Fact]
    public void A_valid_signature_that_has_expired_is_refused_as_expired()
    {
        long earlier = Now.ToUnixTimeSeconds() - 1;
        Assert.Equal("signature is already expired", new SignedUrlVerifier(Token).Verify(Request(Sign(earlier), earlier.ToString()), Now));
    }

    [Fact]
    public void The_signature_is_checked_before_the_expiry_so_a_forged_one_never_learns_about_time()
    {
        long earlier = Now.ToUnixTimeSeconds() - 1;
        Assert.Equal("invalid signature", new SignedUrlVerifier(Token).Verify(Request("v1_forged", earlier.ToString()), Now));
    }

    [Fact]
    public void Moving_the_expiration_invalidates_the_signature()
    {
        long earlier = Now.ToUnixTimeSeconds() - 1;
        Assert.Equal("invalid signature", new SignedUrlVerifier(Token).Verify(Request(Sign(earlier), (earlier + 3600).ToString()), Now));
    }

    [Theory]
    [InlineData("path")]
    [InlineData("operation")]
    [InlineData("user")]
    [InlineData("token")]
    [InlineData("tampered")]
    public void A_signature_for_anything_else_is_invalid(string what)
    {
        string signature = what switch
        {
            "path" => Sign(path: "/root/b.txt"),
            "operation" => Sign(operation: "write"),
            "user" => Sign(user: "user"),
            "token" => UrlSignature.Compute("/root/a.txt", "read", "root", "OTHER", null),
            _ => Sign()[..^1] + (Sign()[^1] == 'A' ? 'B' : 'A'),
        };
        Assert.Equal("invalid signature", new SignedUrlVerifier(Token).Verify(Request(signature), Now));
    }

    [Fact]
    public void A_missing_signature_or_a_malformed_expiration_is_refused()
    {
        var verifier = new SignedUrlVerifier(Token);
        Assert.Equal("missing signature query parameter", verifier.Verify(Request(null), Now));
        Assert.Equal("invalid signature_expiration query parameter", verifier.Verify(Request(Sign(), "soon"), Now));
    }
}
