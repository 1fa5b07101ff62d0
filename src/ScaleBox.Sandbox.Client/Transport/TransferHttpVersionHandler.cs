#if NET8_0_OR_GREATER
using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// Sends a gRPC session's uploads to an https domain over HTTP/1.1 where the gateway passes that
/// on; its other plain requests (downloads, health) stay on HTTP/2, as its calls. Uploads over
/// HTTP/2 are slow at both ends: .NET's client sends request bodies in 16 KiB frames at about twice
/// the CPU per byte, and gateways take HTTP/2 request bodies slowly too (nginx at less than half
/// its HTTP/1.1 rate, for curl as for the module; see bench/gateway.ps1). Downloads through a gateway keep pace
/// on HTTP/2, so they are left alone. The gateways in front of sandboxes speak HTTP/1.1 (the
/// official SDKs use nothing else), but one set up for gRPC alone may not pass it on. So before the
/// first upload it asks <c>GET /health</c> over HTTP/1.1: a 200 sends every upload over HTTP/1.1
/// from then on, any other answer keeps them on HTTP/2. A probe that gets no answer decides nothing:
/// that upload goes over HTTP/2 and the next one asks again. The probe's connection is the one the
/// upload then uses, so it costs one round trip.
/// </summary>
internal sealed class UploadHttpVersionHandler : DelegatingHandler
{
    readonly Func<HttpRequestMessage> _newProbe;
    readonly TimeSpan _probeLimit;
    readonly object _gate = new object();
    Task<bool?>? _probe;

    /// <param name="newProbe">Builds the <c>GET /health</c> request, with the session's headers.</param>
    /// <param name="probeLimit">How long the probe may wait for an answer (the session's timeout).</param>
    public UploadHttpVersionHandler(HttpMessageHandler inner, Func<HttpRequestMessage> newProbe, TimeSpan probeLimit)
        : base(inner)
    {
        _newProbe = newProbe;
        _probeLimit = probeLimit > TimeSpan.Zero && probeLimit != Timeout.InfiniteTimeSpan ? probeLimit : TimeSpan.FromSeconds(30);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null && await Http11AnswersAsync(cancellationToken).ConfigureAwait(false))
        {
            request.Version = HttpVersion.Version11;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    async Task<bool> Http11AnswersAsync(CancellationToken cancellationToken)
    {
        Task<bool?> probe;
        lock (_gate)
        {
            probe = _probe ??= ProbeAsync();
        }
        // Requests that start together share one probe; one of them being cancelled does not end it.
        bool? answer = await probe.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            lock (_gate)
            {
                if (ReferenceEquals(_probe, probe))
                {
                    _probe = null;
                }
            }
            return false;
        }
        return answer.Value;
    }

    /// <summary>True when /health answered 200 over HTTP/1.1, false for any other answer, null for none.</summary>
    async Task<bool?> ProbeAsync()
    {
        using var limit = new CancellationTokenSource(_probeLimit);
        using HttpRequestMessage probe = _newProbe();
        probe.Version = HttpVersion.Version11;
        probe.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        try
        {
            using HttpResponseMessage answer = await base.SendAsync(probe, limit.Token).ConfigureAwait(false);
            return answer.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception)
        {
            // Whatever kept the answer away (a reset, a timeout, a closed session) decides nothing:
            // the upload goes over HTTP/2, where it meets the same trouble if it lasts.
            return null;
        }
    }
}
#endif
