using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A download's body as a read-only stream for a caller that reads lazily (line by line, say).
/// Owns the response: disposing the stream ends the request and frees the connection. A lost
/// connection surfaces as a SandboxException (Unavailable) naming the path and the byte count.
/// </summary>
internal sealed class ResponseBodyStream : Stream
{
    readonly HttpResponseMessage _response;
    readonly Stream _body;
    readonly Func<Exception, long, Exception> _translate;
    long _position;
    int _disposed;

    public ResponseBodyStream(HttpResponseMessage response, Stream body, Func<Exception, long, Exception> translate)
    {
        _response = response;
        _body = body;
        _translate = translate;
        ContentLength = response.Content?.Headers.ContentLength;
    }

    /// <summary>The length the agent announced, if it did.</summary>
    public long? ContentLength { get; }

    public override bool CanRead => Volatile.Read(ref _disposed) == 0;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("A download stream cannot tell its length; read it to the end.");

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("A download stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            int read = _body.Read(buffer, offset, count);
            _position += read;
            return read;
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            throw _translate(e, _position);
        }
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        try
        {
            int read = await _body.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            _position += read;
            return read;
        }
        catch (Exception e) when (IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            throw _translate(e, _position);
        }
    }

#if NETCOREAPP2_1_OR_GREATER
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            int read = await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _position += read;
            return read;
        }
        catch (Exception e) when (IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            throw _translate(e, _position);
        }
    }
#endif

    static bool IsConnectionFailure(Exception e) => e is IOException || e is HttpRequestException;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A download stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A download stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A download stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _body.Dispose();
            _response.Dispose();
        }
        base.Dispose(disposing);
    }
}
