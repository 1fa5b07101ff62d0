using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// Turns refusals by what stands between the client and the agent into errors that say so:
/// the proxy's, which the HTTP stack reports as a bare 407 response (forwarded plain http) or a
/// failed tunnel (https), and nginx's page for a missing or refused client certificate. The
/// sandbox agent itself never answers 407, nor with those pages.
/// </summary>
internal sealed class IntermediaryAnswerCheck : DelegatingHandler
{
    const string NoCertificatePage = "No required SSL certificate was sent";
    const string BadCertificatePage = "The SSL certificate error";

    readonly ProxyRoute _route;
    readonly bool _certificateGiven;
    readonly string? _proxyAuthorization;

    /// <param name="forwarded">The proxy reads and forwards each request: its Basic credential goes with every one.</param>
    public IntermediaryAnswerCheck(HttpMessageHandler inner, ProxyRoute route, bool certificateGiven, bool forwarded)
        : base(inner)
    {
        _route = route;
        _certificateGiven = certificateGiven;
        // Sent up front, not after a 407: a streamed upload cannot be sent a second time, and a
        // proxy that closes each connection (tinyproxy) would challenge every request.
        if (forwarded && route.Credential is { } credential)
        {
            _proxyAuthorization = "Basic " + System.Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credential.UserName + ":" + credential.Password));
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_proxyAuthorization is not null && !request.Headers.Contains("Proxy-Authorization"))
        {
            request.Headers.TryAddWithoutValidation("Proxy-Authorization", _proxyAuthorization);
        }
        HttpResponseMessage response;
#if NET8_0_OR_GREATER
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ProxyTunnelError && _route.Proxy is { } proxy)
        {
            // .NET words it "The proxy tunnel request to proxy '...' failed with status code '407'."
            throw e.StatusCode == HttpStatusCode.ProxyAuthenticationRequired || e.Message.Contains("'407'")
                ? ProxyException.AuthenticationRequired(proxy, _route.CredentialOffered)
                : e.StatusCode == HttpStatusCode.Unauthorized || e.Message.Contains("'401'")
                ? ProxyException.AuthenticationRequired(proxy, _route.CredentialOffered, ProxyException.Answer401)
                : new ProxyException($"the proxy {ProxyException.Show(proxy)} would not open a tunnel to {request.RequestUri?.Authority} ({e.Message})", e);
        }
#else
        response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
#endif
        if (response.StatusCode == HttpStatusCode.ProxyAuthenticationRequired && _route.Proxy is { } refusing)
        {
            response.Dispose();
            throw ProxyException.AuthenticationRequired(refusing, _route.CredentialOffered);
        }
        if (response.StatusCode == HttpStatusCode.Unauthorized && _route.Proxy is { } proxied && IsProxyPage(response))
        {
            // tinyproxy answers a wrong password with 401 where 407 is due; the agent's 401 is JSON, without a challenge.
            response.Dispose();
            throw ProxyException.AuthenticationRequired(proxied, _route.CredentialOffered, ProxyException.Answer401);
        }
        if (response.StatusCode == HttpStatusCode.BadRequest && request.RequestUri?.Scheme == "https"
            && response.Content?.Headers.ContentType?.MediaType == "text/html")
        {
            // Buffered, so an answer that is not the gateway's stays readable for whoever reports it.
            await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
            string page = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            string gateway = request.RequestUri.Authority;
            if (page.Contains(NoCertificatePage))
            {
                response.Dispose();
                throw new GatewayException(_certificateGiven
                    ? $"the TLS gateway at {gateway} did not receive the client certificate given with -Certificate (\"{NoCertificatePage}\"): "
                        + "it takes only certificates issued by the CAs it names, and this one is not, or its private key cannot be used"
                    : $"the TLS gateway at {gateway} wants a client certificate (\"{NoCertificatePage}\"). Give one with -Certificate");
            }
            if (page.Contains(BadCertificatePage))
            {
                response.Dispose();
                throw new GatewayException($"the TLS gateway at {gateway} refused the client certificate (\"{BadCertificatePage}\"): "
                    + "it is not issued by a CA the gateway trusts, or it has expired");
            }
        }
        return response;
    }

    static bool IsProxyPage(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Count > 0 && response.Content?.Headers.ContentType?.MediaType == "text/html";
}
