using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Security;
using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Sessions;

/// <summary>
/// A connection to one sandbox: its domain, its access token (held as a SecureString, never
/// printed) and the reusable client underneath. Created by New-SbxSession.
/// </summary>
public sealed class SbxSession : IDisposable
{
    internal SbxSession(int id, string name, string? sandboxId, SecureString accessToken, SessionNetwork network, SandboxClient client)
    {
        Id = id;
        Name = name;
        SandboxId = sandboxId;
        AccessToken = accessToken;
        Network = network;
        Client = client;
        CreationTime = DateTime.Now;
    }

    /// <summary>Unique within the runspace; Get-SbxSession -Id finds it.</summary>
    public int Id { get; }

    public string Name { get; }

    /// <summary>The backend's sandbox id, when the session was made from a sandbox object.</summary>
    public string? SandboxId { get; }

    public string Domain => Client.Endpoint.Domain;

    public Uri BaseUri => Client.Endpoint.BaseUri;

    public SandboxProtocol Protocol => Client.Options.Protocol;

    public int TimeoutSec => (int)Client.Options.Timeout.TotalSeconds;

    public DateTime CreationTime { get; }

    /// <summary>Opened until Remove-SbxSession closes it.</summary>
    public string State => IsClosed ? "Closed" : "Opened";

    public SecureString AccessToken { get; }

    /// <summary>
    /// The proxy given with -Proxy; null when the session follows the environment's proxy
    /// settings. Kept by Export-Clixml, so an imported session piped to New-SbxSession uses it again.
    /// </summary>
    public Uri? Proxy => Network.Proxy;

    /// <summary>The proxy's user and password; Export-Clixml saves the password as a SecureString, like the access token.</summary>
    public PSCredential? ProxyCredential => Network.ProxyCredential;

    public bool ProxyUseDefaultCredentials => Network.ProxyUseDefaultCredentials;

    internal SessionNetwork Network { get; }

    internal SandboxClient Client { get; }

    /// <summary>
    /// The code contexts made through this session (the agent has no call that lists them), by
    /// id, for Get-SbxCodeContext; Remove-SbxCodeContext forgets them.
    /// </summary>
    internal ConcurrentDictionary<string, SandboxCodeContext> CodeContexts { get; } = new ConcurrentDictionary<string, SandboxCodeContext>(StringComparer.Ordinal);

    internal bool IsClosed { get; private set; }

    public void Dispose()
    {
        IsClosed = true;
        Client.Dispose();
        AccessToken.Dispose();
    }

    public override string ToString() => $"{Name} ({Domain})";
}
