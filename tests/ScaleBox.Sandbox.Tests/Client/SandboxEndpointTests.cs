using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client;

/// <summary>
/// How a sandbox domain becomes a base address: the official SDK's rules (https by default, http for
/// a local agent, a given scheme kept) plus refusing to send the token in clear to a remote host.
/// </summary>
public sealed class SandboxEndpointTests
{
    [Theory]
    [InlineData("sbx-abc123.example.scalebox.dev", "https://sbx-abc123.example.scalebox.dev/")]
    [InlineData("SBX.Example.COM", "https://sbx.example.com/")]
    [InlineData("  sbx.example.com  ", "https://sbx.example.com/")]
    public void A_bare_domain_means_https(string domain, string expected)
    {
        Assert.Equal(new Uri(expected), SandboxEndpoint.Parse(domain).BaseUri);
    }

    [Theory]
    [InlineData("127.0.0.1:49983", "http://127.0.0.1:49983/")]
    [InlineData("localhost:49983", "http://localhost:49983/")]
    [InlineData("localhost", "http://localhost/")]
    [InlineData("[::1]:8080", "http://[::1]:8080/")]
    public void A_loopback_domain_means_plain_http(string domain, string expected)
    {
        SandboxEndpoint endpoint = SandboxEndpoint.Parse(domain);
        Assert.Equal(new Uri(expected), endpoint.BaseUri);
        Assert.True(endpoint.IsLoopback);
    }

    [Theory]
    [InlineData("https://127.0.0.1:8443", "https://127.0.0.1:8443/")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("https://sbx.example.com", "https://sbx.example.com/")]
    [InlineData("https://sbx.example.com/", "https://sbx.example.com/")]
    public void An_explicit_scheme_is_kept(string domain, string expected)
    {
        Assert.Equal(new Uri(expected), SandboxEndpoint.Parse(domain).BaseUri);
    }

    [Theory]
    [InlineData("sbx.example.com:8443", "https://sbx.example.com:8443/")]
    [InlineData("https://sbx.example.com:8443", "https://sbx.example.com:8443/")]
    public void A_port_in_the_domain_is_kept(string domain, string expected)
    {
        SandboxEndpoint endpoint = SandboxEndpoint.Parse(domain);
        Assert.Equal(new Uri(expected), endpoint.BaseUri);
        Assert.Equal("https://sbx.example.com:8443", endpoint.ToString());
    }

    [Fact]
    public void The_domain_is_remembered_as_given_for_messages()
    {
        Assert.Equal("127.0.0.1:49983", SandboxEndpoint.Parse("127.0.0.1:49983").Domain);
    }

    [Theory]
    [InlineData("exa mple.com")]
    [InlineData("ftp://x")]
    [InlineData("https://")]
    [InlineData("host/path")]
    [InlineData("host?x")]
    [InlineData("host#fragment")]
    [InlineData("user:secret@host")]
    [InlineData("https://host/path")]
    [InlineData("host:notaport")]
    public void A_malformed_domain_is_refused_with_a_message_that_names_it(string domain)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => SandboxEndpoint.Parse(domain));
        Assert.Contains($"'{domain}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void A_missing_domain_is_refused_with_an_example_of_one(string? domain)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => SandboxEndpoint.Parse(domain!));
        Assert.Contains("domain is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://sbx.example.com")]
    [InlineData("http://10.1.2.3:49983")]
    public void Plain_http_to_a_remote_host_is_refused_because_the_token_would_travel_in_clear(string domain)
    {
        UnencryptedEndpointException error = Assert.Throws<UnencryptedEndpointException>(() => SandboxEndpoint.Parse(domain));
        Assert.Equal(new Uri(domain).Host, error.Host);
        Assert.Contains(new Uri(domain).Host, error.Message, StringComparison.Ordinal);
        Assert.Contains("unencrypted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_to_a_remote_host_is_allowed_when_asked_for_explicitly()
    {
        SandboxEndpoint endpoint = SandboxEndpoint.Parse("http://sbx.example.com:8080", allowInsecureHttp: true);
        Assert.Equal(new Uri("http://sbx.example.com:8080/"), endpoint.BaseUri);
        Assert.False(endpoint.IsLoopback);
    }
}
