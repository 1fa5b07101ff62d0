using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

[Collection(LocalAgentCollection.Name)]
public sealed class AuthenticationTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task A_wrong_token_is_Unauthenticated_and_the_error_names_the_domain_but_no_token(SandboxProtocol protocol)
    {
        const string wrongToken = "wrong-token-3c9e7b21";
        using SandboxClient client = agent.CreateClient(protocol, accessToken: wrongToken);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync(agent.Home));

        Assert.Equal(SandboxErrorCode.Unauthenticated, error.Code);
        Assert.Equal(agent.DomainFor(protocol), error.Domain);
        Assert.Contains(agent.DomainFor(protocol), error.Message, StringComparison.Ordinal);
        // Neither token may leak through any text a user could see or a log could keep.
        foreach (string text in new[] { error.Message, error.ServerMessage ?? "", error.ToString() })
        {
            Assert.DoesNotContain(wrongToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(agent.AccessToken, text, StringComparison.Ordinal);
        }
    }

    [Theory, AllProtocols]
    public async Task Health_needs_no_valid_token(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol, accessToken: "not-the-token");

        Assert.True(await client.IsHealthyAsync());
    }
}
