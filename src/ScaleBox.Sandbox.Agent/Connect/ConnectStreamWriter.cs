using Google.Protobuf;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// The response side of a streaming call: each message leaves at once in an envelope of its own
/// (unless its write carries BufferHint: then with the next),
/// and the end-of-stream envelope closes the stream. Writes and the close take turns, because a
/// deadline can close the stream while the handler is still writing; once closed, writes fail.
/// </summary>
internal sealed class ConnectStreamWriter<T>(Stream body, ConnectCodec codec, CancellationToken callCancellation) : IServerStreamWriter<T>
    where T : class, IMessage
{
    readonly SemaphoreSlim _turn = new(1, 1);
    bool _closed;

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        var envelope = new ConnectEnvelope(ConnectEnvelopeFlags.None, codec.Serialize(message));
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callCancellation);
        await _turn.WaitAsync(cancellation.Token);
        try
        {
            if (_closed)
            {
                throw new InvalidOperationException("The response stream is closed: the call has already ended.");
            }
            await envelope.WriteAsync(body, cancellation.Token);
            // A streamed event is worth something only when it arrives, not when the next one pushes it
            // out: only a write whose sender says the next follows at once (BufferHint) waits for it.
            if ((WriteOptions?.Flags & WriteFlags.BufferHint) != WriteFlags.BufferHint)
            {
                await body.FlushAsync(cancellation.Token);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Writes the end-of-stream envelope.</summary>
    /// <returns>False, writing nothing, when the stream was already closed.</returns>
    public async Task<bool> CloseAsync(ReadOnlyMemory<byte> endOfStream, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            if (_closed)
            {
                return false;
            }
            _closed = true;
            await new ConnectEnvelope(ConnectEnvelopeFlags.EndStream, endOfStream).WriteAsync(body, cancellationToken);
            await body.FlushAsync(cancellationToken);
            return true;
        }
        finally
        {
            _turn.Release();
        }
    }
}
