using Google.Protobuf;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// Connect's streaming shape: enveloped messages both ways, HTTP 200 whatever happens, and the
/// outcome (an error, or none, plus the trailers) in the end-of-stream envelope.
/// </summary>
internal sealed class ConnectStreamingExchange<TRequest, TResponse> : ConnectExchange<TRequest, TResponse>
    where TRequest : class, IMessage
    where TResponse : class, IMessage
{
    public const string ContentEncodingHeader = "Connect-Content-Encoding";

    readonly HttpContext _http;
    readonly ConnectStreamWriter<TResponse> _responses;

    public ConnectStreamingExchange(
        HttpContext http, ConnectContentType contentType, Func<ReadOnlyMemory<byte>, TRequest> parse, int maxMessageSize, CancellationToken callCancellation)
    {
        _http = http;
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = contentType.MediaType;
        Requests = new ConnectStreamReader<TRequest>(http.Request.Body, parse, http.Request.Headers[ContentEncodingHeader], maxMessageSize);
        _responses = new ConnectStreamWriter<TResponse>(http.Response.Body, contentType.Codec, callCancellation);
    }

    public override IAsyncStreamReader<TRequest> Requests { get; }

    public override IServerStreamWriter<TResponse> Responses => _responses;

    public override async Task FinishAsync(Status status, Metadata trailers)
    {
        if (await _responses.CloseAsync(ConnectEndOfStream.ToJson(status, trailers), _http.RequestAborted))
        {
            await _http.Response.CompleteAsync();
        }
    }
}
