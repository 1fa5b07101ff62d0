using System;
using System.Net;
using ScaleBox.Sandbox.Client.Errors;
#if NET8_0_OR_GREATER
using System.Net.Http;
#endif

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// Which proxy, if any, a client's requests take to its sandbox: the one given to the session,
/// else the environment's or the system's. Worked out once, since a client has one destination.
/// </summary>
internal sealed class ProxyRoute
{
    ProxyRoute(IWebProxy? settings, Uri? proxy, NetworkCredential? credential, ProxyCredentialSource offered)
    {
        Settings = settings;
        Proxy = proxy;
        Credential = credential;
        CredentialOffered = offered;
    }

    /// <summary>What the socket handler is given; null leaves it to the platform's default.</summary>
    public IWebProxy? Settings { get; }

    /// <summary>The proxy the sandbox's requests go through; null when they go straight to it (none set, or NO_PROXY).</summary>
    public Uri? Proxy { get; }

    /// <summary>The user and password for a tunnel the client opens itself (Basic), if any.</summary>
    public NetworkCredential? Credential { get; }

    /// <summary>What was offered to the proxy, for the wording of a 407.</summary>
    public ProxyCredentialSource CredentialOffered { get; }

    public static ProxyRoute For(SandboxClientOptions options)
    {
        Uri target = options.Endpoint.BaseUri;
        IWebProxy? settings;
        if (options.Proxy is not null)
        {
            settings = new WebProxy(options.Proxy)
            {
                // Loopback is not bypassed: a proxy named for the session is used for every request.
                BypassProxyOnLocal = false,
                Credentials = options.ProxyUseDefaultCredentials ? CredentialCache.DefaultCredentials : options.ProxyCredential,
            };
        }
        else
        {
#if NET8_0_OR_GREATER
            // HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY on every platform; without them the
            // system's settings on Windows and macOS. Read once per process by .NET.
            settings = HttpClient.DefaultProxy;
#else
            settings = null;
#endif
        }

        Uri? proxy = null;
        if (settings is not null && !settings.IsBypassed(target))
        {
            Uri? candidate = settings.GetProxy(target);
            proxy = candidate is null || candidate == target ? null : candidate;
        }

        NetworkCredential? credential = options.ProxyCredential;
        if (credential is null && proxy is not null && settings?.Credentials is { } fromSettings)
        {
            // The user and password written into HTTPS_PROXY's URL; the signed-in user's have no name to send.
            NetworkCredential? found = fromSettings.GetCredential(proxy, "Basic");
            credential = string.IsNullOrEmpty(found?.UserName) ? null : found;
        }
        ProxyCredentialSource offered = options.ProxyUseDefaultCredentials ? ProxyCredentialSource.SignedInUser
            : options.ProxyCredential is not null || settings?.Credentials is not null ? ProxyCredentialSource.Given
            : ProxyCredentialSource.None;
        return new ProxyRoute(settings, proxy, credential, offered);
    }
}
