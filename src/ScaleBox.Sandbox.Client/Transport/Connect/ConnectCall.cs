using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Google.Protobuf;
using Grpc.Core;

namespace ScaleBox.Sandbox.Client.Transport.Connect;

/// <summary>
/// One Connect call, unary or server streaming, seen from the client: the request goes out when
/// the call starts; the response's headers, messages and end are read as the caller asks for
/// them, and every failure becomes an <see cref="RpcException"/> with the status Grpc.Net.Client
/// would report for the same event (Cancelled for the caller's cancellation, DeadlineExceeded
/// for the deadline, Unavailable with the socket error for a connection that failed or broke).
/// </summary>
internal sealed class ConnectCall<TRequest, TResponse> : IAsyncStreamReader<TResponse>, IDisposable
    where TRequest : class
    where TResponse : class
{
    const string ProtocolVersionHeader = "Connect-Protocol-Version";
    const string TimeoutHeader = "Connect-Timeout-Ms";
    // An error body is a short JSON object; a proxy's page is cut at this length.
    const int MaxErrorBodyLength = 64 * 1024;
    // Connect-Timeout-Ms holds at most 10 digits.
    const long MaxTimeoutMs = 9_999_999_999;

    readonly HttpCallTransport _transport;
    readonly Method<TRequest, TResponse> _method;
    readonly CallOptions _options;
    readonly bool _streaming;
    readonly CancellationTokenSource _deadline = new CancellationTokenSource();
    readonly CancellationTokenSource _abort = new CancellationTokenSource();
    readonly CancellationTokenSource _call;
    readonly TaskCompletionSource<Metadata> _headers = new TaskCompletionSource<Metadata>(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Metadata _trailers = new Metadata();
    readonly object _gate = new object();
    Task<Stream>? _body;
    HttpResponseMessage? _response;
    Status? _status;
    TResponse? _current;

    public ConnectCall(HttpCallTransport transport, Method<TRequest, TResponse> method, CallOptions options, bool streaming)
    {
        _transport = transport;
        _method = method;
        _options = options;
        _streaming = streaming;
        _call = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, _deadline.Token, _abort.Token);
        // Nobody may ask for the headers of a call that failed: that is no unobserved error.
        _headers.Task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public TResponse Current => _current ?? throw new InvalidOperationException("There is no current message: MoveNext has not returned true.");

    public void Start(TRequest request)
    {
        _body = SendAsync(request);
        _body.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>Sends the request; completes with the body of a 200 response of the right type.</summary>
    async Task<Stream> SendAsync(TRequest request)
    {
        try
        {
            TimeSpan? timeout = TimeLimit.LeftUntil(_options.Deadline);
            if (timeout is TimeSpan limit)
            {
                if (limit <= TimeSpan.Zero)
                {
                    throw Finish(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
                }
                TimeLimit.CancelAfter(_deadline, limit);
            }

            ConnectCodec codec = _transport.Codec;
            if (!(request is IMessage message))
            {
                throw new InvalidOperationException($"{typeof(TRequest)} is not a protobuf message.");
            }
            byte[] body = codec.Serialize(message);
            // Not disposed before the call ends: over HTTP/2 the request stays open while the response streams.
            var httpRequest = new HttpRequestMessage(HttpMethod.Post, _transport.UriOf(_method.FullName))
            {
                Content = new ByteArrayContent(_streaming ? ConnectEnvelope.Frame(body) : body),
                Version = HttpVersion.Version11,
#if NET8_0_OR_GREATER
                // HTTP/2 where TLS offers it (ALPN), as for any HTTPS client; HTTP/1.1 otherwise.
                VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
#endif
            };
            ConnectHeaders.SetContentType(httpRequest.Content, _streaming ? codec.StreamingMediaType : codec.UnaryMediaType);
            httpRequest.Headers.TryAddWithoutValidation(ProtocolVersionHeader, "1");
            if (timeout is TimeSpan t)
            {
                long ms = Math.Min(MaxTimeoutMs, (long)Math.Ceiling(t.TotalMilliseconds));
                httpRequest.Headers.TryAddWithoutValidation(TimeoutHeader, ms.ToString(CultureInfo.InvariantCulture));
            }
            ConnectHeaders.AddToRequest(httpRequest, _options.Headers);

            HttpResponseMessage response = await _transport.Http
                .SendAsync(httpRequest, HttpCompletionOption.ResponseHeadersRead, _call.Token).ConfigureAwait(false);
            lock (_gate)
            {
                _response = response;
            }
            _headers.TrySetResult(ConnectHeaders.FromResponse(response, _streaming ? null : _trailers));

            string? mediaType = ConnectHeaders.MediaTypeOf(response);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                using Stream errorBody = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                byte[] error = await ReadToEndAsync(errorBody, MaxErrorBodyLength, truncate: true).ConfigureAwait(false);
                throw Finish(ConnectStatus.FromErrorResponse(response.StatusCode, mediaType, error));
            }
            string expected = _streaming ? codec.StreamingMediaType : codec.UnaryMediaType;
            if (!string.Equals(mediaType, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw Finish(new Status(StatusCode.Unknown,
                    $"{ConnectStatus.BadResponse}: content type '{mediaType ?? "(none)"}' where '{expected}' was expected"));
            }
            return await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Fail(e, "Error starting Connect call.");
        }
    }

    /// <summary>The response message of a unary call (its whole body).</summary>
    public async Task<TResponse> ReadUnaryResponseAsync()
    {
        try
        {
            byte[] data;
            using (Stream body = await _body!.ConfigureAwait(false))
            {
                data = await ReadToEndAsync(body, _transport.MaxReceiveMessageSize, truncate: false).ConfigureAwait(false);
            }
            TResponse response = _transport.Codec.Parse<TResponse>(data);
            Finish(Status.DefaultSuccess);
            return response;
        }
        catch (Exception e)
        {
            throw Fail(e, "Error reading the Connect response.");
        }
    }

    /// <summary>The next message of a server stream; false after a successful end-of-stream message.</summary>
    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        _current = null;
        lock (_gate)
        {
            if (_status is Status ended)
            {
                return ended.StatusCode == StatusCode.OK ? false : throw new RpcException(ended, _trailers);
            }
        }
        // As in Grpc.Net.Client, cancelling one read cancels the call.
        using CancellationTokenRegistration registration = cancellationToken.Register(state => ((CancellationTokenSource)state!).Cancel(), _abort);
        try
        {
            Stream body = await _body!.ConfigureAwait(false);
            ConnectEnvelope? next = await ConnectEnvelope.ReadAsync(body, _transport.MaxReceiveMessageSize, _call.Token).ConfigureAwait(false);
            if (!(next is ConnectEnvelope envelope))
            {
                throw Finish(new Status(StatusCode.Unavailable, "the response stream ended without its end-of-stream message"));
            }
            if (envelope.IsCompressed)
            {
                throw Finish(new Status(StatusCode.Internal, "the agent sent a compressed message, which this client did not ask for"));
            }
            if (envelope.IsEndStream)
            {
                Status status = ConnectStatus.FromEndOfStream(envelope.Payload, _trailers);
                if (status.StatusCode != StatusCode.OK)
                {
                    throw Finish(status);
                }
                // Reads the end of the body, so that the connection goes back to the pool.
                await body.ReadAsync(new byte[1], 0, 1, _call.Token).ConfigureAwait(false);
                Finish(status);
                return false;
            }
            _current = _transport.Codec.Parse<TResponse>(envelope.Payload);
            return true;
        }
        catch (Exception e)
        {
            throw Fail(e, "Error reading next message.");
        }
    }

    public Status GetStatus()
    {
        lock (_gate)
        {
            return HttpCallStatus.OfEnded(_status);
        }
    }

    public Metadata GetTrailers()
    {
        lock (_gate)
        {
            return HttpCallStatus.TrailersOfEnded(_status, _trailers);
        }
    }

    /// <summary>Ends the call if it is still running (as Cancelled), and releases its connection.</summary>
    public void Dispose()
    {
        Finish(new Status(StatusCode.Cancelled, "Call canceled by the client."));
        _abort.Cancel();
        HttpResponseMessage? response;
        lock (_gate)
        {
            response = _response;
        }
        response?.Dispose();
        _call.Dispose();
        _deadline.Dispose();
    }

    /// <summary>Records how the call ended (the first end wins) and returns it as the exception to throw.</summary>
    RpcException Finish(Status status)
    {
        Status final;
        lock (_gate)
        {
            _status ??= status;
            final = _status.Value;
        }
        var error = new RpcException(final, _trailers);
        _headers.TrySetException(error);
        if (final.StatusCode != StatusCode.OK)
        {
            lock (_gate)
            {
                _response?.Dispose();
            }
        }
        return error;
    }

    /// <summary>What a failure means for the caller, as Grpc.Net.Client words it.</summary>
    RpcException Fail(Exception error, string what)
    {
        if (error is RpcException rpc)
        {
            return Finish(rpc.Status);
        }
        if (_deadline.IsCancellationRequested && !_options.CancellationToken.IsCancellationRequested && !_abort.IsCancellationRequested)
        {
            return Finish(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
        }
        if (_call.IsCancellationRequested)
        {
            return Finish(new Status(StatusCode.Cancelled, "Call canceled by the client.", error));
        }
        return Finish(HttpCallStatus.TransportFailure(what, error));
    }

    /// <summary>The whole body, at most <paramref name="limit"/> bytes: the rest is cut, or it is an error.</summary>
    async Task<byte[]> ReadToEndAsync(Stream body, int limit, bool truncate)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, 0, chunk.Length, _call.Token).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                if (truncate)
                {
                    buffer.Write(chunk, 0, (int)(limit - buffer.Length));
                    break;
                }
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"Received message exceeds the maximum configured message size (the limit is {limit} bytes)."));
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
