using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;

namespace ScaleBox.Sandbox.Client.Transport.Connect;

/// <summary>
/// One frame of a Connect streaming body: a flags byte, the payload's length as a 4-byte
/// big-endian integer, then the payload (a message, or the end-of-stream JSON). A gRPC-Web frame
/// has the same shape (its flag 0x80 marks the trailers), and is written and read with it too.
/// </summary>
internal readonly struct ConnectEnvelope
{
    const int PrefixLength = 5;

    /// <summary>The payload is compressed with the stream's Connect-Content-Encoding (never asked for by this client).</summary>
    public const byte CompressedFlag = 0x01;

    /// <summary>The last envelope of a response stream: its payload is the end-of-stream JSON.</summary>
    public const byte EndStreamFlag = 0x02;

    public ConnectEnvelope(byte flags, byte[] payload)
    {
        Flags = flags;
        Payload = payload;
    }

    public byte Flags { get; }

    public byte[] Payload { get; }

    public bool IsEndStream => (Flags & EndStreamFlag) != 0;

    public bool IsCompressed => (Flags & CompressedFlag) != 0;

    /// <summary>A request body of one message: the flags byte 0 (uncompressed), the length, the message.</summary>
    public static byte[] Frame(byte[] message)
    {
        byte[] frame = new byte[PrefixLength + message.Length];
        WriteLength(frame, message.Length);
        Buffer.BlockCopy(message, 0, frame, PrefixLength, message.Length);
        return frame;
    }

    /// <returns>The next envelope, or null when the body ends cleanly between two envelopes.</returns>
    /// <exception cref="RpcException">
    /// Unavailable when the body ends inside an envelope; ResourceExhausted when an envelope announces
    /// more than <paramref name="maxPayloadLength"/> bytes (nothing that large is read).
    /// </exception>
    public static async Task<ConnectEnvelope?> ReadAsync(Stream body, int maxPayloadLength, CancellationToken cancellationToken)
    {
        byte[] prefix = new byte[PrefixLength];
        int read = await ReadAtMostAsync(body, prefix, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }
        if (read < PrefixLength)
        {
            throw Truncated();
        }

        uint length = (uint)(prefix[1] << 24 | prefix[2] << 16 | prefix[3] << 8 | prefix[4]);
        if (length > (uint)maxPayloadLength)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size ({length} bytes, the limit is {maxPayloadLength})."));
        }
        byte[] payload = new byte[length];
        if (await ReadAtMostAsync(body, payload, cancellationToken).ConfigureAwait(false) < payload.Length)
        {
            throw Truncated();
        }
        return new ConnectEnvelope(prefix[0], payload);
    }

    /// <summary>Fills <paramref name="buffer"/> unless the body ends first.</summary>
    /// <returns>How many bytes were read: less than the buffer's length only at the end of the body.</returns>
    static async Task<int> ReadAtMostAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await body.ReadAsync(buffer, total, buffer.Length - total, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    static void WriteLength(byte[] frame, int length)
    {
        frame[1] = (byte)(length >> 24);
        frame[2] = (byte)(length >> 16);
        frame[3] = (byte)(length >> 8);
        frame[4] = (byte)length;
    }

    // A body cut mid-frame is a transport failure, as a cut gRPC stream is.
    static RpcException Truncated() =>
        new RpcException(new Status(StatusCode.Unavailable, "the response stream ends in the middle of an envelope"));
}
