#if NET8_0_OR_GREATER
using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// Sends a gRPC session's transfers over HTTP/1.1 where the agent's port, or the gateway in front
/// of it, speaks that too; its calls stay on HTTP/2. Bulk data over HTTP/2 is slow at both ends:
/// .NET's client sends and takes it in 16 KiB frames at about twice the CPU per byte (it ignores a
/// server's larger SETTINGS_MAX_FRAME_SIZE), and gateways take HTTP/2 request bodies slowly too
/// (nginx at less than half its HTTP/1.1 rate, for curl as for the module; see bench/gateway.ps1).
/// Over https only uploads move: downloads through a gateway keep pace on HTTP/2 (they were slower
/// through nginx over HTTP/1.1). Over plain http there is no gateway to weigh, and both move: the
/// real agent serves HTTP/1.1 and cleartext HTTP/2 on its one port, as the local agent's gRPC port
/// does. But a server set up for gRPC alone may not speak HTTP/1.1. So before the first transfer it
/// asks <c>GET /health</c> over HTTP/1.1: a 200 sends every transfer over HTTP/1.1 from then on;
/// any other answer, a reply that is not HTTP/1.1 at all, or a hang-up (what cleartext HTTP/2-only
/// servers do with an HTTP/1.1 request), keeps them on HTTP/2. A probe that gets no answer (a
/// timeout, a reset, a refused connection) decides nothing: that transfer goes over HTTP/2 and the
/// next one asks again. The probe's connection is the one the transfer then uses, so it costs one
/// round trip.
/// </summary>
internal sealed class TransferHttpVersionHandler : DelegatingHandler
{
    readonly Func<HttpRequestMessage> _newProbe;
    readonly TimeSpan _probeLimit;
    readonly bool _downloadsToo;
    readonly object _gate = new object();
    Task<bool?>? _probe;

    /// <param name="newProbe">Builds the <c>GET /health</c> request, with the session's headers.</param>
    /// <param name="probeLimit">How long the probe may wait for an answer (the session's timeout).</param>
    /// <param name="downloadsToo">Moves downloads as well as uploads (plain http); uploads alone otherwise.</param>
    public TransferHttpVersionHandler(HttpMessageHandler inner, Func<HttpRequestMessage> newProbe, TimeSpan probeLimit, bool downloadsToo)
        : base(inner)
    {
        _newProbe = newProbe;
        _downloadsToo = downloadsToo;
        _probeLimit = TimeLimit.Limits(probeLimit) ? probeLimit : TimeSpan.FromSeconds(30);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Moves(request) && await Http11AnswersAsync(cancellationToken).ConfigureAwait(false))
        {
            request.Version = HttpVersion.Version11;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    bool Moves(HttpRequestMessage request) =>
        request.Content is not null
        || (_downloadsToo && request.Method == HttpMethod.Get
            && request.RequestUri is { } uri && uri.AbsolutePath.StartsWith("/" + AgentHttpRoutes.Download + "/", StringComparison.Ordinal));

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
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded)
        {
            // It answered in something other than HTTP/1.1 (Kestrel's HTTP/2-only port), or hung up
            // on the request (nginx's): either way it does not take HTTP/1.1.
            return false;
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
