using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Google.Protobuf;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport.Connect;

namespace ScaleBox.Sandbox.Client.Transport.GrpcWeb;

/// <summary>
/// One unary gRPC-Web call as a single HTTP/1.1 POST: the framed request out, the answer's message
/// and trailers read whole. It fails as Grpc.Net.Client's calls do for the same event, with the
/// same status and wording where the module's error translation reads them: the agent's status
/// from the trailers (or the headers of a trailers-only answer), "Bad gRPC response. HTTP status
/// code: N" for another server's status, DeadlineExceeded for the deadline, Cancelled for the
/// caller's cancellation, Unavailable for a connection that failed or broke.
/// </summary>
internal sealed class GrpcWebUnaryCall<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    public const string ContentType = "application/grpc-web";
    const string StartFailed = "Error starting gRPC call.";

    readonly HttpCallTransport _transport;
    readonly Method<TRequest, TResponse> _method;
    readonly CallOptions _options;
    readonly CancellationTokenSource _cancel;
    readonly object _gate = new object();
    HttpResponseMessage? _response;
    Task<Metadata>? _headers;
    Status? _status;
    Metadata _trailers = Metadata.Empty;
    bool _ended;
    bool _disposed;

    public GrpcWebUnaryCall(HttpCallTransport transport, Method<TRequest, TResponse> method, CallOptions options, TRequest request)
    {
        _transport = transport;
        _method = method;
        _options = options;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        Response = RunAsync(request);
    }

    public Task<TResponse> Response { get; }

    async Task<TResponse> RunAsync(TRequest request)
    {
        try
        {
            TimeSpan? timeout = TimeLimit.LeftUntil(_options.Deadline);
            if (timeout is TimeSpan left)
            {
                if (left <= TimeSpan.Zero)
                {
                    throw new RpcException(new Status(StatusCode.DeadlineExceeded, string.Empty));
                }
                TimeLimit.CancelAfter(_cancel, left);
            }
            using HttpRequestMessage httpRequest = NewRequest(request, timeout);
            HttpResponseMessage response = await _transport.Http
                .SendAsync(httpRequest, HttpCompletionOption.ResponseHeadersRead, _cancel.Token).ConfigureAwait(false);
            lock (_gate)
            {
                _response = response;
            }
            using (response)
            {
                if (AnswerHeadStatus(response) is Status refused)
                {
                    throw new RpcException(refused);
                }
                (byte[]? message, Metadata? trailers) = await GrpcWebResponseBody.ReadAsync(
                    await response.Content.ReadAsStreamAsync().ConfigureAwait(false), _transport.MaxReceiveMessageSize, _cancel.Token).ConfigureAwait(false);
                if (trailers is not null)
                {
                    lock (_gate)
                    {
                        _trailers = trailers;
                    }
                }
                // A body that ends without trailers, or trailers without a status, say nothing of how the call went.
                Status status = (trailers is null ? null : GrpcStatusHeaders.StatusOf(trailers))
                    ?? new Status(StatusCode.Cancelled, "No grpc-status found on response.");
                if (status.StatusCode != StatusCode.OK)
                {
                    throw new RpcException(status);
                }
                if (message is null)
                {
                    throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize response message."));
                }
                TResponse answer = _transport.Codec.Parse<TResponse>(message);
                End(Status.DefaultSuccess);
                return answer;
            }
        }
        catch (Exception e)
        {
            throw Fail(e);
        }
        finally
        {
            lock (_gate)
            {
                _ended = true;
            }
            _cancel.Dispose();
        }
    }

    HttpRequestMessage NewRequest(TRequest request, TimeSpan? timeout)
    {
        if (!(request is IMessage message))
        {
            throw new InvalidOperationException($"{typeof(TRequest)} is not a protobuf message.");
        }
        var httpRequest = new HttpRequestMessage(HttpMethod.Post, _transport.UriOf(_method.FullName))
        {
            Version = HttpVersion.Version11,
            Content = new ByteArrayContent(ConnectEnvelope.Frame(_transport.Codec.Serialize(message))),
        };
        httpRequest.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        if (_options.Headers is Metadata headers)
        {
            foreach (Metadata.Entry entry in headers)
            {
                if (entry.Key != GrpcTimeoutHeader.Name)
                {
                    httpRequest.Headers.TryAddWithoutValidation(entry.Key, entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value);
                }
            }
        }
        if (timeout is TimeSpan limit)
        {
            httpRequest.Headers.TryAddWithoutValidation(GrpcTimeoutHeader.Name, GrpcTimeoutHeader.Format(limit));
        }
        return httpRequest;
    }

    /// <summary>
    /// What the answer's status line and headers already decide: the agent's status in the headers
    /// (a trailers-only answer), else another server's answer (not 200, not gRPC-Web); null when the
    /// body is to be read.
    /// </summary>
    Status? AnswerHeadStatus(HttpResponseMessage response)
    {
        if (GrpcStatusHeaders.StatusOf(response.Headers) is Status status)
        {
            lock (_gate)
            {
                _trailers = GrpcStatusHeaders.ToMetadata(response.Headers);
            }
            // An answer without a message cannot be a unary call's success.
            return status.StatusCode == StatusCode.OK
                ? new Status(StatusCode.Internal, "Failed to deserialize response message. The response header contains a gRPC status of OK, but a unary call must have a response message.")
                : status;
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new Status(ConnectStatus.FromHttpStatus(response.StatusCode), "Bad gRPC response. HTTP status code: " + (int)response.StatusCode);
        }
        string? contentType = response.Content.Headers.ContentType?.MediaType;
        if (contentType is null)
        {
            return new Status(StatusCode.Internal, "Bad gRPC response. Response did not have a content-type header.");
        }
        if (!IsGrpcWeb(contentType))
        {
            return new Status(StatusCode.Internal, "Bad gRPC response. Invalid content-type value: " + response.Content.Headers.ContentType);
        }
        return null;
    }

    /// <summary><c>application/grpc-web</c> with or without a codec suffix (<c>+proto</c>), not the text variant.</summary>
    static bool IsGrpcWeb(string mediaType) =>
        string.Equals(mediaType, ContentType, StringComparison.OrdinalIgnoreCase)
        || (mediaType.StartsWith(ContentType + "+", StringComparison.OrdinalIgnoreCase));

    /// <summary>What a failure means for the caller, as Grpc.Net.Client says it.</summary>
    RpcException Fail(Exception error)
    {
        Status status;
        if (error is RpcException rpc)
        {
            status = rpc.Status;
        }
        else if (IsCancelled)
        {
            // Without the exception: what a cancelled socket read throws would read as a connection that failed.
            status = CancelledByCaller
                ? new Status(StatusCode.Cancelled, "Call canceled by the client.")
                : new Status(StatusCode.DeadlineExceeded, string.Empty);
        }
        else
        {
            status = HttpCallStatus.TransportFailure(StartFailed, error);
        }
        End(status);
        Metadata trailers;
        lock (_gate)
        {
            trailers = _trailers;
        }
        return new RpcException(status, trailers);
    }

    bool IsCancelled
    {
        get
        {
            lock (_gate)
            {
                return _disposed || _cancel.IsCancellationRequested;
            }
        }
    }

    bool CancelledByCaller
    {
        get
        {
            lock (_gate)
            {
                return _disposed || _options.CancellationToken.IsCancellationRequested;
            }
        }
    }

    void End(Status status)
    {
        lock (_gate)
        {
            _status ??= status;
        }
    }

    public Task<Metadata> ResponseHeadersAsync()
    {
        lock (_gate)
        {
            return _headers ??= HeadersAsync();
        }
    }

    async Task<Metadata> HeadersAsync()
    {
        try
        {
            await Response.ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // A failed call's headers are what came, if anything did.
        }
        lock (_gate)
        {
            return _response is null ? throw new RpcException(_status ?? Status.DefaultCancelled) : GrpcStatusHeaders.ToMetadata(_response.Headers);
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

    /// <summary>Cancels the call if it still runs; a finished call has released everything already.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            if (!_ended)
            {
                _cancel.Cancel();
            }
        }
    }
}
