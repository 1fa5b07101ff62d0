using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace ScaleBox.Sandbox.Agent.Hosting;

/// <summary>
/// Serves HTTP/1.1 and cleartext HTTP/2 on one port, as the real agent does (a Go server with
/// h2c on its one port): a gRPC session's uploads and downloads can then take HTTP/1.1 to the
/// port its calls use. Kestrel picks a cleartext endpoint's protocol from its configuration alone
/// (it has no ALPN to go by), so the HTTP/2 endpoint is configured for HTTP/2 and this tells each
/// of its connections apart by what the client sends first: HTTP/2 with prior knowledge opens with
/// a fixed 24-byte preface (RFC 9113, 3.4); anything else goes to the HTTP/1.1 endpoint's
/// connection pipeline, borrowed with <see cref="TakeHttp1"/>. Nothing is consumed: the chosen
/// pipeline reads the connection from its first byte.
/// </summary>
public sealed class CleartextProtocolSniffer
{
    static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    // As long as Kestrel gives a client for its request headers: a connection quiet for longer
    // goes to HTTP/1.1, whose own timeouts then end it.
    static readonly TimeSpan FirstBytesLimit = TimeSpan.FromSeconds(30);

    ConnectionDelegate? _http1;

    /// <summary>Middleware for the HTTP/1.1 endpoint: keeps its connection pipeline for the connections that are not HTTP/2.</summary>
    public ConnectionDelegate TakeHttp1(ConnectionDelegate next)
    {
        _http1 = next;
        return next;
    }

    /// <summary>Middleware for the HTTP/2 endpoint: sends each connection that does not open with the preface to HTTP/1.1.</summary>
    public ConnectionDelegate Dispatch(ConnectionDelegate http2) => async connection =>
    {
        ConnectionDelegate http1 = _http1 ?? throw new InvalidOperationException("The HTTP/1.1 endpoint was not set up before connections came.");
        await (await OpensWithPrefaceAsync(connection.Transport.Input, connection.ConnectionClosed) ? http2 : http1)(connection);
    };

    /// <summary>True when the first bytes are the HTTP/2 preface; leaves every byte unread.</summary>
    internal static async Task<bool> OpensWithPrefaceAsync(PipeReader input, CancellationToken connectionClosed)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        limit.CancelAfter(FirstBytesLimit);
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            ReadOnlySequence<byte> buffer = read.Buffer;
            int seen = (int)Math.Min(buffer.Length, Preface.Length);
            bool agrees = AgreesWithPreface(buffer.Slice(0, seen));
            if (!agrees || seen == Preface.Length || read.IsCompleted || read.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                return agrees && seen == Preface.Length;
            }
            // A prefix of the preface so far: wait for more without taking any of it.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    static bool AgreesWithPreface(ReadOnlySequence<byte> head)
    {
        Span<byte> bytes = stackalloc byte[Preface.Length];
        head.CopyTo(bytes);
        return bytes[..(int)head.Length].SequenceEqual(Preface.AsSpan(0, (int)head.Length));
    }
}
