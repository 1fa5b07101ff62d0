using System.Security.Cryptography;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// An agent process of its own (fresh home, token and port) with a client connected to it, for
/// tests that need the agent started otherwise than the shared in-process one: another
/// environment, or signals ignored as a background job inherits them.
/// </summary>
public sealed class SeparateAgent : IAsyncDisposable
{
    readonly string _root;
    readonly AgentProcess _process;

    SeparateAgent(string root, AgentProcess process, SandboxClient client)
    {
        _root = root;
        _process = process;
        Client = client;
    }

    public string Home => Path.Combine(_root, "home");

    public int Pid => _process.Pid;

    public SandboxClient Client { get; }

    public static async Task<SeparateAgent> StartAsync(IReadOnlyList<string>? launcher = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        string root = Directory.CreateTempSubdirectory("sbx-separate-agent-").FullName;
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        AgentProcess process = AgentProcess.Start(["--port", "0", "--token", token, "--home", Path.Combine(root, "home")], tokenVariable: null,
            launcher: launcher, environment: environment);
        try
        {
            Uri address = await process.ReadListeningAddressAsync();
            var client = new SandboxClient(new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{address.Port}"), new AccessToken(token))
            {
                Timeout = TimeSpan.FromSeconds(60),
            });
            return new SeparateAgent(root, process, client);
        }
        catch
        {
            await process.DisposeAsync();
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
