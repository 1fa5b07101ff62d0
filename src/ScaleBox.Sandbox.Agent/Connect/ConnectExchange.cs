using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// One Connect call's traffic, in one of the protocol's two shapes: where the handler's requests
/// come from, where its responses go, and how the end of the call is written on the wire.
/// </summary>
internal abstract class ConnectExchange<TRequest, TResponse>
    where TRequest : class, IMessage
    where TResponse : class, IMessage
{
    public abstract IAsyncStreamReader<TRequest> Requests { get; }

    public abstract IServerStreamWriter<TResponse> Responses { get; }

    /// <summary>
    /// Ends the call with <paramref name="status"/> and completes the HTTP response. Only the first
    /// call has an effect: the handler finishing and its deadline passing can race.
    /// </summary>
    public abstract Task FinishAsync(Status status, Metadata trailers);

    /// <param name="callCancellation">Cancelled when the call's deadline passes or the client goes away.</param>
    public static ConnectExchange<TRequest, TResponse> Create(
        HttpContext http, ConnectContentType contentType, MessageDescriptor requestDescriptor, int maxMessageSize, CancellationToken callCancellation)
    {
        TRequest Parse(ReadOnlyMemory<byte> data) => (TRequest)contentType.Codec.Parse(data, requestDescriptor);
        return contentType.IsStreaming
            ? new ConnectStreamingExchange<TRequest, TResponse>(http, contentType, Parse, maxMessageSize, callCancellation)
            : new ConnectUnaryExchange<TRequest, TResponse>(http, contentType, Parse, maxMessageSize);
    }
}
