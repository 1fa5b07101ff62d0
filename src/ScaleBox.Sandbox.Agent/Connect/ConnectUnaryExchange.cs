using Google.Protobuf;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// Connect's unary shape: the request message is the whole body (compressed per Content-Encoding);
/// the response is the whole body with HTTP 200, or a JSON error with the HTTP status of its code.
/// Trailers travel as headers prefixed <c>trailer-</c>.
/// </summary>
internal sealed class ConnectUnaryExchange<TRequest, TResponse> : ConnectExchange<TRequest, TResponse>
    where TRequest : class, IMessage
    where TResponse : class, IMessage
{
    readonly HttpContext _http;
    readonly ConnectContentType _contentType;
    readonly BodyReader _requests;
    readonly ResponseHolder _responses = new();
    int _finished;

    public ConnectUnaryExchange(HttpContext http, ConnectContentType contentType, Func<ReadOnlyMemory<byte>, TRequest> parse, int maxMessageSize)
    {
        _http = http;
        _contentType = contentType;
        _requests = new BodyReader(http.Request, parse, maxMessageSize);
    }

    public override IAsyncStreamReader<TRequest> Requests => _requests;

    public override IServerStreamWriter<TResponse> Responses => _responses;

    public override async Task FinishAsync(Status status, Metadata trailers)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        HttpResponse response = _http.Response;
        byte[] body;
        if (status.StatusCode == StatusCode.OK)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = _contentType.MediaType;
            body = _contentType.Codec.Serialize(
                _responses.Message ?? throw new InvalidOperationException("The call succeeded without a response message."));
        }
        else
        {
            response.StatusCode = ConnectCode.HttpStatus(status.StatusCode);
            response.ContentType = "application/json"; // errors are JSON whatever the codec
            body = ConnectError.ToJson(status);
        }
        ConnectMetadata.AddToHeaders(response.Headers, trailers, ConnectMetadata.UnaryTrailerPrefix);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, _http.RequestAborted);
        await response.CompleteAsync();
    }

    /// <summary>Yields the body's one message; the body is read on the first MoveNext, within the call's deadline.</summary>
    sealed class BodyReader(HttpRequest request, Func<ReadOnlyMemory<byte>, TRequest> parse, int maxMessageSize) : IAsyncStreamReader<TRequest>
    {
        TRequest? _current;
        bool _read;

        public TRequest Current => _current ?? throw new InvalidOperationException("There is no current message: MoveNext has not returned true.");

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            _current = null;
            if (_read)
            {
                return false;
            }
            _read = true;
            byte[] body = await ReadBodyAsync(request.Body, maxMessageSize, cancellationToken);
            _current = parse(ConnectCompression.Decompress(request.Headers.ContentEncoding, body, maxMessageSize));
            return true;
        }

        static async Task<byte[]> ReadBodyAsync(Stream body, int maxLength, CancellationToken cancellationToken)
        {
            using var buffer = new MemoryStream();
            byte[] chunk = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxLength)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted,
                        $"the request body is larger than the limit of {maxLength} bytes"));
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }

    /// <summary>Keeps the one response message until the call ends and its status decides what is sent.</summary>
    sealed class ResponseHolder : IServerStreamWriter<TResponse>
    {
        public TResponse? Message { get; private set; }

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(TResponse message)
        {
            if (Message is not null)
            {
                throw new InvalidOperationException("A unary call has exactly one response message.");
            }
            Message = message;
            return Task.CompletedTask;
        }
    }
}
