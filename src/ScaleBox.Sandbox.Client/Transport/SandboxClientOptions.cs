using System;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>What a <see cref="SandboxClient"/> needs to reach one sandbox agent.</summary>
public sealed class SandboxClientOptions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public SandboxClientOptions(SandboxEndpoint endpoint, AccessToken accessToken)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        AccessToken = accessToken ?? throw new ArgumentNullException(nameof(accessToken));
    }

    public SandboxEndpoint Endpoint { get; }

    public AccessToken AccessToken { get; }

    public SandboxProtocol Protocol { get; set; } = SandboxProtocol.GrpcWeb;

    /// <summary>
    /// Deadline of each unary call, how long a connection attempt may take, and how long a file's
    /// bytes may stop coming while a download or a read waits for them.
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>The sandbox user named in <c>Authorization: Bearer</c>; the agent's default is root.</summary>
    public string User { get; set; } = "root";

    /// <summary>
    /// Accepts any TLS certificate the server shows, trusted or not. For a test gateway with a
    /// certificate of its own; anyone on the network path can then read the token.
    /// </summary>
    public bool SkipCertificateCheck { get; set; }

    /// <summary>
    /// The HTTP proxy every request of the client goes through: RPCs, streams and transfers.
    /// Null uses the environment's proxy (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) or, without
    /// those, the system's (Windows and macOS settings).
    /// </summary>
    public Uri? Proxy { get; set; }

    /// <summary>The user and password the <see cref="Proxy"/> wants (Basic, Digest, NTLM or Negotiate, as it asks).</summary>
    public NetworkCredential? ProxyCredential { get; set; }

    /// <summary>Gives the <see cref="Proxy"/> the signed-in user's credentials (NTLM or Kerberos).</summary>
    public bool ProxyUseDefaultCredentials { get; set; }

    /// <summary>Shown to a TLS gateway that asks for a client certificate; needs its private key.</summary>
    public X509Certificate2? ClientCertificate { get; set; }
}
