using System;
using System.Net.Http;

namespace ScaleBox.Sandbox.Client.Errors;

/// <summary>
/// The proxy between the client and the sandbox failed the request: it could not be reached,
/// wanted other credentials (407), or would not open a tunnel. Its message is the plain reason,
/// which <see cref="ConnectionFailure"/> finds under whatever the HTTP and gRPC stacks wrap around it.
/// </summary>
internal sealed class ProxyException : HttpRequestException
{
    public ProxyException(string reason, Exception? inner = null)
        : base(reason, inner)
    {
    }

    /// <summary>The proxy's address for messages: scheme, host and port, never a user or password written into it.</summary>
    public static string Show(Uri proxy) => $"{proxy.Scheme}://{proxy.Host}:{proxy.Port}";

    /// <param name="answer">The proxy's status, e.g. "407 Proxy Authentication Required", or the 401 some proxies (tinyproxy) give for a wrong password.</param>
    public static ProxyException AuthenticationRequired(Uri proxy, bool credentialGiven, string answer = Answer407) => new ProxyException(credentialGiven
        ? $"the proxy {Show(proxy)} refused the proxy credential ({answer}). Check -ProxyCredential, or the user and password in the proxy's URL"
        : $"the proxy {Show(proxy)} wants a user and password ({answer}). Give them with -ProxyCredential");

    public const string Answer407 = "407 Proxy Authentication Required";
    public const string Answer401 = "401 Unauthorized";
}
