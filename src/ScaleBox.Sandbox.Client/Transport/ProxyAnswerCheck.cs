using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Client.Transport
{
    /// <summary>
    /// Turns the proxy's refusals into a <see cref="ProxyException"/> that says so, where the HTTP
    /// stack reports them as a bare 407 response (forwarded plain http) or a failed tunnel (https).
    /// The sandbox agent itself never answers 407.
    /// </summary>
    internal sealed class ProxyAnswerCheck : DelegatingHandler
    {
        readonly ProxyRoute _route;

        public ProxyAnswerCheck(HttpMessageHandler inner, ProxyRoute route)
            : base(inner)
        {
            _route = route;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
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
                    ? ProxyException.AuthenticationRequired(proxy, _route.CredentialGiven)
                    : new ProxyException($"the proxy {ProxyException.Show(proxy)} would not open a tunnel to {request.RequestUri?.Authority} ({e.Message})", e);
            }
#else
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
#endif
            if (response.StatusCode == HttpStatusCode.ProxyAuthenticationRequired && _route.Proxy is { } refusing)
            {
                response.Dispose();
                throw ProxyException.AuthenticationRequired(refusing, _route.CredentialGiven);
            }
            return response;
        }
    }
}
