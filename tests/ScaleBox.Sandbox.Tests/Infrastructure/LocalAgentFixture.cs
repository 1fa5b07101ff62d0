using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ScaleBox.Sandbox.Agent.Hosting;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// The real local agent, hosted in this test process on loopback with ports picked by the OS, a
/// random token and a home folder of its own. Tests reach it only through real sockets, exactly
/// as the module reaches a sandbox; hosting it in-process just saves a process start per run.
/// </summary>
public sealed class LocalAgentFixture : IAsyncLifetime
{
    WebApplication? _app;

    /// <summary>The agent's token: 32 random hex characters, unique to this run.</summary>
    public string AccessToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>The agent's home folder: base of relative paths. Created fresh, deleted on dispose.</summary>
    public string Home { get; } = Path.Combine(Path.GetTempPath(), "sbx-tests-" + Guid.NewGuid().ToString("N"), "home");

    /// <summary>HTTP/1.1 endpoint: Connect, gRPC-Web and the plain HTTP routes such as /health.</summary>
    public Uri HttpAddress { get; private set; } = null!;

    /// <summary>The gRPC endpoint: cleartext HTTP/2 with prior knowledge, and HTTP/1.1 too (as the real agent's port).</summary>
    public Uri Http2Address { get; private set; } = null!;

    /// <summary>For an agent of its own with other settings: gets the usual options, returns the ones to run with.</summary>
    public Func<AgentOptions, AgentOptions>? Configure { get; init; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        var options = new AgentOptions
        {
            Port = 0, Http2Port = 0, AccessToken = AccessToken, Home = Home,
            StateDirectory = Path.Combine(Path.GetDirectoryName(Home)!, "state"),
        };
        options = Configure?.Invoke(options) ?? options;
        _app = AgentHost.Build(options);
        await _app.StartAsync();

        // Port 0 means the real ports are only known after binding. Kestrel reports its endpoints
        // in the order they were configured: the HTTP/1.1 port first, then the gRPC one.
        // Every BothProtocols theory checks that order: gRPC over HTTP/2 cannot talk to the
        // HTTP/1.1-only port, so swapped addresses would fail the Grpc half of each theory.
        string[] addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.ToArray();
        if (addresses.Length != 2)
        {
            throw new InvalidOperationException($"Expected the agent to bind two endpoints, got: {string.Join(", ", addresses)}");
        }
        HttpAddress = new Uri(addresses[0]);
        Http2Address = new Uri(addresses[1]);
    }

    /// <summary>The sandbox domain a user would give for the endpoint that carries <paramref name="protocol"/>.</summary>
    public string DomainFor(SandboxProtocol protocol) => DomainOf(protocol == SandboxProtocol.Grpc ? Http2Address : HttpAddress);

    static string DomainOf(Uri address) => $"127.0.0.1:{address.Port}";

    /// <summary>A client as the module would build one, on the endpoint that serves <paramref name="protocol"/>.</summary>
    /// <param name="accessToken">Defaults to the agent's own token; pass another to test rejection.</param>
    /// <param name="at">Another of the agent's endpoints than the one for the protocol.</param>
    public SandboxClient CreateClient(SandboxProtocol protocol, string? accessToken = null, TimeSpan? timeout = null, Uri? at = null)
    {
        string domain = at is null ? DomainFor(protocol) : DomainOf(at);
        var options = new SandboxClientOptions(SandboxEndpoint.Parse(domain), new AccessToken(accessToken ?? AccessToken))
        {
            Protocol = protocol,
            // Generous but finite: a hung call fails the test instead of stalling the run.
            Timeout = timeout ?? TimeSpan.FromSeconds(15),
        };
        return new SandboxClient(options);
    }

    /// <summary>A client as <see cref="CreateClient"/> builds one, reaching the agent through <paramref name="proxy"/>.</summary>
    public SandboxClient CreateClientThrough(FaultInjection.ConnectionCuttingProxy proxy, SandboxProtocol protocol = SandboxProtocol.GrpcWeb, TimeSpan? timeout = null) =>
        CreateClient(protocol, timeout: timeout, at: new Uri("http://" + proxy.Domain));

    /// <summary>
    /// An empty directory under the home folder for one test, so tests never see each other's files.
    /// Its name is unique even across the two protocol runs of one theory.
    /// </summary>
    public string NewFolder(string purpose)
    {
        string path = Path.Combine(Home, purpose + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        // The home's parent is ours too (made unique above); remove both.
        string root = Path.GetDirectoryName(Home)!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
