using System.Buffers.Binary;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// One frame of a Connect streaming body: a flags byte, the payload's length as a 4-byte
/// big-endian integer, then the payload (a message, or the end-of-stream JSON).
/// </summary>
internal readonly record struct ConnectEnvelope(ConnectEnvelopeFlags Flags, ReadOnlyMemory<byte> Payload)
{
    public const int PrefixLength = 5;

    /// <returns>The next envelope, or null when the body ends cleanly between two envelopes.</returns>
    /// <exception cref="RpcException">
    /// invalid_argument when the body ends inside an envelope; resource_exhausted when an envelope
    /// announces more than <paramref name="maxPayloadLength"/> bytes (nothing that large is read).
    /// </exception>
    public static async Task<ConnectEnvelope?> ReadAsync(Stream body, int maxPayloadLength, CancellationToken cancellationToken)
    {
        byte[] prefix = new byte[PrefixLength];
        int read = await body.ReadAtLeastAsync(prefix, PrefixLength, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return null;
        }
        if (read < PrefixLength)
        {
            throw Truncated();
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1));
        if (length > (uint)maxPayloadLength)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"an envelope of {length} bytes is larger than the limit of {maxPayloadLength} bytes"));
        }

        byte[] payload = new byte[length];
        try
        {
            await body.ReadExactlyAsync(payload, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw Truncated();
        }
        return new ConnectEnvelope((ConnectEnvelopeFlags)prefix[0], payload);
    }

    /// <summary>Writes the envelope in one piece, so that a reader never sees a prefix without its payload.</summary>
    public async Task WriteAsync(Stream body, CancellationToken cancellationToken)
    {
        byte[] frame = new byte[PrefixLength + Payload.Length];
        frame[0] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)Payload.Length);
        Payload.Span.CopyTo(frame.AsSpan(PrefixLength));
        await body.WriteAsync(frame, cancellationToken);
    }

    static RpcException Truncated() =>
        new(new Status(StatusCode.InvalidArgument, "the request body ends in the middle of an envelope"));
}
