using System;
using System.Net;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// The base address of a sandbox agent, worked out from a sandbox domain the way the official
/// clients do: https unless the host is loopback, a scheme already given is kept, and plain
/// http to anything but loopback only when the caller explicitly allows it.
/// </summary>
public sealed class SandboxEndpoint
{
    SandboxEndpoint(Uri baseUri, string domain)
    {
        BaseUri = baseUri;
        Domain = domain;
    }

    /// <summary>Scheme, host and port, ending in a slash.</summary>
    public Uri BaseUri { get; }

    /// <summary>The domain as the caller gave it, for messages.</summary>
    public string Domain { get; }

    public bool IsLoopback => BaseUri.IsLoopback;

    public override string ToString() => BaseUri.GetLeftPart(UriPartial.Authority);

    /// <exception cref="ArgumentException">The domain is empty, malformed, or asks for plain http to a remote host.</exception>
    public static SandboxEndpoint Parse(string domain, bool allowInsecureHttp = false)
    {
        string text = (domain ?? string.Empty).Trim();
        if (text.Length == 0)
        {
            throw new ArgumentException("A sandbox domain is required, such as 'sbx-abc123.example.scalebox.dev'.");
        }

        bool hasScheme = text.IndexOf("://", StringComparison.Ordinal) >= 0;
        string candidate = hasScheme ? text : "https://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.HostNameType == UriHostNameType.Unknown
            || uri.Host.Length == 0
            || !string.IsNullOrEmpty(uri.UserInfo)
            || uri.AbsolutePath != "/"
            || uri.Query.Length > 0
            || uri.Fragment.Length > 0
            || HasWhitespace(text))
        {
            throw new ArgumentException(
                $"'{Errors.EchoedText.Value(text)}' is not a sandbox domain. Give a host name with an optional port "
                + "(sbx-abc123.example.scalebox.dev, 127.0.0.1:49983) or an http(s) URI without a path.");
        }

        if (!hasScheme && uri.IsLoopback)
        {
            // The official clients talk plain http to a local agent.
            uri = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp, Port = uri.IsDefaultPort ? 80 : uri.Port }.Uri;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !allowInsecureHttp)
        {
            throw new UnencryptedEndpointException(uri.Host);
        }

        return new SandboxEndpoint(new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), text);
    }

    static bool HasWhitespace(string text)
    {
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return true;
            }
        }
        return false;
    }
}
