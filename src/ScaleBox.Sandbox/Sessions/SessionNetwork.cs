using System;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Sessions;

/// <summary>
/// How a session reaches its sandbox beyond the domain: an explicit proxy and its credential,
/// and a client certificate for a gateway that asks for one. Nothing set means the
/// environment's proxy settings and no client certificate.
/// </summary>
internal sealed class SessionNetwork
{
    public static readonly SessionNetwork Default = new SessionNetwork(null, null, false, null);

    public SessionNetwork(Uri? proxy, PSCredential? proxyCredential, bool proxyUseDefaultCredentials, X509Certificate2? certificate)
    {
        Proxy = proxy;
        ProxyCredential = proxyCredential;
        ProxyUseDefaultCredentials = proxyUseDefaultCredentials;
        Certificate = certificate;
    }

    public Uri? Proxy { get; }

    public PSCredential? ProxyCredential { get; }

    public bool ProxyUseDefaultCredentials { get; }

    public X509Certificate2? Certificate { get; }

    public void ApplyTo(SandboxClientOptions options)
    {
        options.Proxy = Proxy;
        // The client library takes no PowerShell types: the password goes over as a NetworkCredential.
        options.ProxyCredential = ProxyCredential?.GetNetworkCredential();
        options.ProxyUseDefaultCredentials = ProxyUseDefaultCredentials;
        options.ClientCertificate = Certificate;
    }
}
