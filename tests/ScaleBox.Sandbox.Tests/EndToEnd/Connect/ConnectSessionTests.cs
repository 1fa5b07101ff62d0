using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.EndToEnd.Processes;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Connect;

/// <summary>
/// What only a Connect session against the real local agent shows: streams refused by the token
/// gate (HTTP 401 before any envelope), and a unary call's deadline when the agent goes silent.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ConnectSessionTests(LocalAgentFixture agent)
{
    [Theory]
    [InlineData(SandboxProtocol.Connect)]
    [InlineData(SandboxProtocol.ConnectJson)]
    public async Task A_wrong_token_on_a_stream_is_Unauthenticated_and_names_no_token(SandboxProtocol protocol)
    {
        const string wrongToken = "wrong-token-7d41a0c2";
        using SandboxClient client = agent.CreateClient(protocol, accessToken: wrongToken);

        var error = await Assert.ThrowsAsync<SandboxException>(async () =>
        {
            await foreach (SandboxProcessEvent e in client.Processes.StartAsync(SandboxProcessStartInfo.ForCommand("echo never")).WithCancellation(default))
            {
                Assert.Fail($"the agent let a wrong token in: {e}");
            }
        });

        Assert.Equal(SandboxErrorCode.Unauthenticated, error.Code);
        Assert.DoesNotContain(wrongToken, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(agent.AccessToken, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SandboxProtocol.Connect)]
    [InlineData(SandboxProtocol.ConnectJson)]
    public async Task A_unary_call_to_an_agent_that_went_silent_ends_at_its_deadline(SandboxProtocol protocol)
    {
        await using var relay = new TcpRelay(agent.HttpAddress.Port);
        var options = new SandboxClientOptions(SandboxEndpoint.Parse(relay.Domain), new AccessToken(agent.AccessToken))
        {
            Protocol = protocol,
            Timeout = TimeSpan.FromSeconds(2),
        };
        using var client = new SandboxClient(options);
        relay.Freeze(); // the connection is accepted, and then nothing comes back

        var error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync(agent.Home)).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
    }
}
