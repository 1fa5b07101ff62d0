using System.Diagnostics;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd;

/// <summary>The client's life cycle and transport failures: health, no listener, cancellation, disposal.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ConnectionTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task A_running_agent_is_healthy(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);

        Assert.True(await client.IsHealthyAsync());
    }

    [Theory, AllProtocols]
    public async Task Nothing_listening_is_Unavailable_long_before_the_timeout(SandboxProtocol protocol)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(20);
        int port = ClosedPort.Find();
        var options = new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{port}"), new AccessToken(agent.AccessToken))
        {
            Protocol = protocol,
            Timeout = timeout,
        };
        using var client = new SandboxClient(options);
        var clock = Stopwatch.StartNew();

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Files.GetItemAsync("/"));

        clock.Stop();
        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.AccessToken, error.Message, StringComparison.Ordinal);
        // A refused connection must be reported as such, not after waiting out the deadline.
        Assert.True(clock.Elapsed < timeout / 2, $"took {clock.Elapsed} against a {timeout} timeout");
    }

    [Theory, AllProtocols]
    public async Task Health_of_nothing_listening_is_Unavailable(SandboxProtocol protocol)
    {
        var options = new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{ClosedPort.Find()}"), new AccessToken("t"))
        {
            Protocol = protocol,
        };
        using var client = new SandboxClient(options);

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.IsHealthyAsync());

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
    }

    [Theory, AllProtocols]
    public async Task A_cancelled_token_cancels_the_call(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        // Cancellation the caller asked for stays a cancellation, not a SandboxException.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Files.GetItemAsync(agent.Home, cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Files.GetChildItemsAsync(agent.Home, 1, cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Files.ExistsAsync(agent.Home, cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.IsHealthyAsync(cancellation.Token));
    }

    [Theory, AllProtocols]
    public async Task A_disposed_client_refuses_calls(SandboxProtocol protocol)
    {
        SandboxClient client = agent.CreateClient(protocol);
        Assert.True(await client.Files.ExistsAsync(agent.Home)); // it worked before...
        client.Dispose();
        client.Dispose(); // ...disposing twice is harmless...

        // ...and afterwards every call says why it cannot go on.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.Files.GetItemAsync(agent.Home));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.Files.RemoveAsync(Path.Combine(agent.Home, "x")));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.IsHealthyAsync());
    }

    [Theory, AllProtocols]
    public async Task An_empty_path_is_refused_before_anything_is_sent(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);

        await Assert.ThrowsAsync<ArgumentException>(() => client.Files.GetItemAsync(""));
    }
}
