using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A download's body as a read-only stream for a caller that reads lazily (line by line, say).
/// Owns the response: disposing the stream ends the request and frees the connection. A lost
/// connection surfaces as the caller's exception for it, naming the byte count; so does a read
/// that waits longer than its allowance for bytes (<see cref="PendingReadWatch"/>), which
/// would otherwise wait as long as the connection stays open.
/// </summary>
internal sealed class ResponseBodyStream : Stream
{
    /// <summary>The exception a read throws for <paramref name="error"/>, after <paramref name="position"/> bytes; <paramref name="stalled"/> when it waited too long.</summary>
    public delegate Exception Failure(Exception error, long position, bool stalled);

    readonly HttpResponseMessage _response;
    readonly Stream _body;
    readonly PendingReadWatch _watch;
    readonly Failure _failure;
    long _position;
    int _disposed;

    public ResponseBodyStream(HttpResponseMessage response, Stream body, TimeSpan readAllowance, Failure failure)
    {
        _response = response;
        _body = body;
        _watch = new PendingReadWatch(readAllowance);
        _failure = failure;
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

    // Through the asynchronous path: only a read that takes a token can be ended when it stalls.
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        CancellationToken waiting = _watch.Begin(cancellationToken);
        try
        {
            int read = await _body.ReadAsync(buffer, offset, count, waiting).ConfigureAwait(false);
            _position += read;
            return read;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (_watch.Fired || IsConnectionFailure(e)))
        {
            throw _failure(e, _position, _watch.Fired);
        }
        finally
        {
            _watch.End();
        }
    }

#if NETCOREAPP2_1_OR_GREATER
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CancellationToken waiting = _watch.Begin(cancellationToken);
        try
        {
            int read = await _body.ReadAsync(buffer, waiting).ConfigureAwait(false);
            _position += read;
            return read;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (_watch.Fired || IsConnectionFailure(e)))
        {
            throw _failure(e, _position, _watch.Fired);
        }
        finally
        {
            _watch.End();
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
            _watch.Dispose();
        }
        base.Dispose(disposing);
    }
}
