using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>The request side of a streaming call: one message per envelope, until the body ends.</summary>
internal sealed class ConnectStreamReader<T>(
    Stream body, Func<ReadOnlyMemory<byte>, T> parse, string? contentEncoding, int maxMessageSize) : IAsyncStreamReader<T>
    where T : class
{
    T? _current;

    public T Current => _current ?? throw new InvalidOperationException("There is no current message: MoveNext has not returned true.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        _current = null;
        if (await ConnectEnvelope.ReadAsync(body, maxMessageSize, cancellationToken) is not { } envelope)
        {
            return false;
        }
        if (envelope.Flags.HasFlag(ConnectEnvelopeFlags.EndStream))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a request stream carries only messages; end-of-stream envelopes are for responses"));
        }

        ReadOnlyMemory<byte> message = envelope.Payload;
        if (envelope.Flags.HasFlag(ConnectEnvelopeFlags.Compressed))
        {
            if (ConnectCompression.IsIdentity(contentEncoding))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "a compressed envelope arrived, but the request names no Connect-Content-Encoding"));
            }
            message = ConnectCompression.Decompress(contentEncoding, message, maxMessageSize);
        }
        _current = parse(message);
        return true;
    }
}
