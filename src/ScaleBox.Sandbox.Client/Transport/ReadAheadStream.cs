#if NET8_0_OR_GREATER
using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// A connection's stream that takes what the socket holds in one large read and hands it out in
/// the small reads .NET's HTTP/2 client makes (a frame header, then about 16 KiB of a frame): a
/// 1 GiB download took 131,000 receive calls of 8 KiB each, and a system call is dear on a
/// virtual machine. Reads at least as large as the buffer, with nothing buffered, go straight
/// through; writes always do.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    internal const int BufferSize = 64 * 1024;

    readonly Stream _inner;
    readonly byte[] _buffer = new byte[BufferSize];
    int _start;
    int _end;

    public ReadAheadStream(Stream inner) => _inner = inner;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_start < _end)
        {
            return TakeBuffered(destination.Span);
        }
        if (destination.Length == 0 || destination.Length >= BufferSize)
        {
            // A zero-byte read waits for data without taking any: it must reach the socket.
            return await _inner.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        int read = await _inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        _start = 0;
        _end = read;
        return read == 0 ? 0 : TakeBuffered(destination.Span);
    }

    public override int Read(Span<byte> destination)
    {
        if (_start < _end)
        {
            return TakeBuffered(destination);
        }
        if (destination.Length == 0 || destination.Length >= BufferSize)
        {
            return _inner.Read(destination);
        }
        int read = _inner.Read(_buffer);
        _start = 0;
        _end = read;
        return read == 0 ? 0 : TakeBuffered(destination);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    int TakeBuffered(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(source, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(ReadOnlySpan<byte> source) => _inner.Write(source);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _inner.DisposeAsync();
    }
}
#endif
