using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client.Transport;

public sealed class ReadAheadStreamTests
{
    static byte[] Bytes(int count) => Enumerable.Range(0, count).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public async Task Small_reads_are_served_from_one_large_read_and_return_every_byte_in_order()
    {
        byte[] content = Bytes(200_000);
        var inner = new RecordingStream(content);
        await using var stream = new ReadAheadStream(inner);

        var received = new List<byte>();
        var piece = new byte[9];
        int read;
        while ((read = await stream.ReadAsync(piece)) > 0)
        {
            received.AddRange(piece.Take(read));
        }

        Assert.Equal(content, received);
        // 200,000 bytes in 9-byte reads: a handful of buffer-sized reads of the inner stream, not 22,000.
        Assert.All(inner.ReadSizes.SkipLast(1), size => Assert.Equal(ReadAheadStream.BufferSize, size));
        Assert.Equal((int)Math.Ceiling(200_000.0 / ReadAheadStream.BufferSize) + 1, inner.ReadSizes.Count);
    }

    [Fact]
    public async Task A_read_as_large_as_the_buffer_goes_straight_through_when_nothing_is_buffered()
    {
        byte[] content = Bytes(3 * ReadAheadStream.BufferSize);
        var inner = new RecordingStream(content);
        await using var stream = new ReadAheadStream(inner);
        var large = new byte[2 * ReadAheadStream.BufferSize];

        int read = await stream.ReadAsync(large);

        Assert.Equal(large.Length, read);
        Assert.Equal([large.Length], inner.ReadSizes);
        Assert.Equal(content.AsSpan(0, read).ToArray(), large);
    }

    [Fact]
    public async Task What_is_buffered_is_handed_out_before_anything_new_is_read()
    {
        byte[] content = Bytes(ReadAheadStream.BufferSize + 100);
        var inner = new RecordingStream(content);
        await using var stream = new ReadAheadStream(inner);
        var small = new byte[10];
        Assert.Equal(10, await stream.ReadAsync(small));

        var large = new byte[2 * ReadAheadStream.BufferSize];
        int read = await stream.ReadAsync(large);

        Assert.Equal(ReadAheadStream.BufferSize - 10, read); // the rest of the buffer, not more
        Assert.Equal(content.AsSpan(10, read).ToArray(), large.AsSpan(0, read).ToArray());
        Assert.Single(inner.ReadSizes);
        Assert.Equal(100, stream.Read(large)); // then the remaining bytes, synchronously
        Assert.Equal(content.AsSpan(ReadAheadStream.BufferSize).ToArray(), large.AsSpan(0, 100).ToArray());
    }

    [Fact]
    public async Task A_zero_byte_read_reaches_the_inner_stream_only_when_nothing_is_buffered()
    {
        var inner = new RecordingStream(Bytes(100));
        await using var stream = new ReadAheadStream(inner);

        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        Assert.Equal([0], inner.ReadSizes);
        Assert.Equal(1, await stream.ReadAsync(new byte[1]));
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        Assert.Equal([0, ReadAheadStream.BufferSize], inner.ReadSizes);
    }

    [Fact]
    public async Task Writes_and_flushes_go_straight_to_the_inner_stream()
    {
        var inner = new RecordingStream([]);
        await using var stream = new ReadAheadStream(inner);

        await stream.WriteAsync(new byte[] { 1, 2, 3 });
        stream.Write([4]);
        await stream.FlushAsync();

        Assert.Equal([1, 2, 3, 4], inner.Written.ToArray());
        Assert.Equal(1, inner.Flushes);
    }

    /// <summary>Serves fixed content, never more than asked, and records each read's requested size.</summary>
    sealed class RecordingStream(byte[] content) : Stream
    {
        int _position;

        public List<int> ReadSizes { get; } = [];
        public MemoryStream Written { get; } = new();
        public int Flushes { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            ReadSizes.Add(destination.Length);
            int count = Math.Min(destination.Length, content.Length - _position);
            content.AsSpan(_position, count).CopyTo(destination);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(destination.Span));

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);

        public override void Flush() => Flushes++;

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
