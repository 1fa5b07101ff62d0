using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

/// <summary>SandboxClient.CheckAsync (Test-SbxSession -Detailed): health, its round trip, and whether the token is accepted.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class SandboxCheckTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task A_running_agent_and_its_token_pass_both_checks(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);

        SandboxCheck check = await client.CheckAsync();

        Assert.Equal(agent.DomainFor(protocol), check.Domain);
        Assert.Equal(protocol, check.Protocol);
        Assert.True(check.Healthy);
        Assert.Equal(200, check.HealthStatus);
        Assert.True(check.Latency > TimeSpan.Zero);
        Assert.True(check.Authenticated);
        Assert.Null(check.Problem);
    }

    [Theory, AllProtocols]
    public async Task A_wrong_token_is_healthy_but_not_authenticated_and_the_problem_names_no_token(SandboxProtocol protocol)
    {
        const string wrongToken = "wrong-token-5d1f0a77";
        using SandboxClient client = agent.CreateClient(protocol, accessToken: wrongToken);

        SandboxCheck check = await client.CheckAsync();

        Assert.True(check.Healthy);
        Assert.False(check.Authenticated);
        Assert.Contains("access token", check.Problem);
        Assert.DoesNotContain(wrongToken, check.Problem);
    }

    [Fact]
    public async Task An_agent_that_cannot_be_reached_is_neither_healthy_nor_asked_for_the_token()
    {
        var options = new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{ClosedPort.Find()}"), new AccessToken("unused"))
        {
            Timeout = TimeSpan.FromSeconds(5),
        };
        using var client = new SandboxClient(options);

        SandboxCheck check = await client.CheckAsync();

        Assert.False(check.Healthy);
        Assert.Null(check.HealthStatus);
        Assert.Null(check.Latency);
        Assert.Null(check.Authenticated);
        Assert.Contains("Cannot reach", check.Problem);
    }
}
