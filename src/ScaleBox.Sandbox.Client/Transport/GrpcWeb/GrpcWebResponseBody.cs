using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport.Connect;

namespace ScaleBox.Sandbox.Client.Transport.GrpcWeb;

/// <summary>
/// The body of a gRPC-Web answer to a unary call: frames of a flag byte and a four-byte length, at
/// most one message frame, then the trailers frame (flag 0x80) holding <c>grpc-status</c> and
/// <c>grpc-message</c> as header lines, then the end. The frames are read as Connect's envelopes,
/// which have their shape.
/// </summary>
internal static class GrpcWebResponseBody
{
    const byte TrailersFlag = 0x80;

    /// <summary>The message (null when none came) and the trailers (null when the body ended without them).</summary>
    /// <exception cref="RpcException">
    /// Unavailable when the body ends inside a frame; ResourceExhausted for a frame over
    /// <paramref name="maxMessageLength"/>; Internal for a compressed frame, a second message or data after the trailers.
    /// </exception>
    public static async Task<(byte[]? Message, Metadata? Trailers)> ReadAsync(Stream body, int maxMessageLength, CancellationToken cancellationToken)
    {
        byte[]? message = null;
        while (await ConnectEnvelope.ReadAsync(body, maxMessageLength, cancellationToken).ConfigureAwait(false) is ConnectEnvelope frame)
        {
            if (frame.IsCompressed)
            {
                throw new RpcException(new Status(StatusCode.Internal, "the agent sent a compressed message, which this client did not ask for"));
            }
            if ((frame.Flags & TrailersFlag) != 0)
            {
                // Reading to the end also hands the connection back to the pool.
                if (await body.ReadAsync(new byte[1], 0, 1, cancellationToken).ConfigureAwait(false) != 0)
                {
                    throw new RpcException(new Status(StatusCode.Internal, "Unexpected data after trailers."));
                }
                return (message, ParseTrailers(frame.Payload));
            }
            if (message is not null)
            {
                throw new RpcException(new Status(StatusCode.Internal, "the agent sent more than one message in answer to a unary call"));
            }
            message = frame.Payload;
        }
        return (message, null);
    }

    /// <summary>Header lines (<c>name: value</c>, CRLF between them) as metadata, names in lower case.</summary>
    public static Metadata ParseTrailers(byte[] text)
    {
        var trailers = new Metadata();
        foreach (string line in Encoding.ASCII.GetString(text).Split(new[] { "\r\n" }, StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Error parsing badly formatted trailing header."));
            }
            GrpcStatusHeaders.Add(trailers, line.Substring(0, colon).Trim().ToLowerInvariant(), line.Substring(colon + 1).Trim());
        }
        return trailers;
    }
}
