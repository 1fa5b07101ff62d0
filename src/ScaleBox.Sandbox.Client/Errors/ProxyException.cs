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
    /// <param name="tunnel">The refusal came on the tunnel the client opens itself, which sends Basic credentials only.</param>
    public static ProxyException AuthenticationRequired(Uri proxy, ProxyCredentialSource offered, string answer = Answer407, bool tunnel = false) =>
        new ProxyException(offered switch
        {
            ProxyCredentialSource.Given =>
                $"the proxy {Show(proxy)} refused the proxy credential ({answer}). Check -ProxyCredential, or the user and password in the proxy's URL",
            ProxyCredentialSource.SignedInUser when tunnel =>
                $"the proxy {Show(proxy)} wants a user and password ({answer}), and the tunnel that gRPC over cleartext HTTP/2 takes "
                + "cannot carry the signed-in user's credentials (-ProxyUseDefaultCredentials). Give a user and password with -ProxyCredential",
            ProxyCredentialSource.SignedInUser =>
                $"the proxy {Show(proxy)} refused the signed-in user's credentials (-ProxyUseDefaultCredentials; {answer}): it may want a user "
                + "and password (give them with -ProxyCredential), or accept none this user has (NTLM or Kerberos)",
            _ => $"the proxy {Show(proxy)} wants a user and password ({answer}). Give them with -ProxyCredential",
        });

    public const string Answer407 = "407 Proxy Authentication Required";
    public const string Answer401 = "401 Unauthorized";
}
