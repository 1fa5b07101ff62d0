using System.Text;
using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>The upload body is shaped as the official SDK sends it, and streamed from its source.</summary>
public sealed class UploadFormTests
{
    [Fact]
    public async Task Has_a_file_part_named_by_the_destination_then_a_path_part()
    {
        string body = await SerializeAsync("/root/dir/a \"quoted\" ü.txt", "hello");

        int file = body.IndexOf("Content-Disposition: form-data; name=\"file\"; filename=\"/root/dir/a %22quoted%22 ü.txt\"", StringComparison.Ordinal);
        int type = body.IndexOf("Content-Type: application/octet-stream", StringComparison.Ordinal);
        int content = body.IndexOf("\r\n\r\nhello\r\n", StringComparison.Ordinal);
        int path = body.IndexOf("Content-Disposition: form-data; name=\"path\"\r\n", StringComparison.Ordinal);
        int pathValue = body.IndexOf("\r\n\r\n/root/dir/a \"quoted\" ü.txt\r\n", StringComparison.Ordinal);

        Assert.True(file >= 0, body);
        Assert.True(type > file && content > type && path > content && pathValue > path, body);
    }

    [Fact]
    public void A_seekable_source_gives_a_content_length_and_an_unseekable_one_none()
    {
        using var watchdog = new IdleWatchdog(default, Timeout.InfiniteTimeSpan);
        using var seekable = new StreamingUploadContent(new MemoryStream(new byte[1000]), watchdog, new ProgressThrottle(null));
        using var unseekable = new StreamingUploadContent(new NonSeekableStream(new MemoryStream(new byte[1000])), watchdog, new ProgressThrottle(null));

        using var withLength = UploadForm.Create(seekable, "/a");
        using var withoutLength = UploadForm.Create(unseekable, "/a");

        Assert.True(withLength.Headers.ContentLength > 1000);
        Assert.Null(withoutLength.Headers.ContentLength);
    }

    [Fact]
    public async Task The_content_is_sent_once_and_hashed()
    {
        using var watchdog = new IdleWatchdog(default, Timeout.InfiniteTimeSpan);
        var content = new StreamingUploadContent(new MemoryStream(Encoding.UTF8.GetBytes("abc")), watchdog, new ProgressThrottle(null), computeSha256: true);

        await content.CopyToAsync(Stream.Null);

        Assert.True(content.Completed);
        Assert.Equal(3, content.BytesSent);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", content.Sha256);
        await Assert.ThrowsAsync<InvalidOperationException>(() => content.CopyToAsync(Stream.Null));
    }

    [Fact]
    public async Task A_body_stopped_before_its_last_byte_never_ends_as_a_whole_multipart()
    {
        using var watchdog = new IdleWatchdog(default, Timeout.InfiniteTimeSpan);
        using var file = new StreamingUploadContent(new MemoryStream(Encoding.UTF8.GetBytes("abc")), watchdog, new ProgressThrottle(null));
        using var form = UploadForm.Create(file, "/a");
        var sent = new MemoryStream();

        Assert.True(file.TryStopBeforeEnd());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => form.CopyToAsync(sent));

        Assert.False(file.Completed);
        string body = Encoding.UTF8.GetString(sent.ToArray());
        Assert.DoesNotContain("name=\"path\"", body);
        Assert.False(body.TrimEnd().EndsWith("--", StringComparison.Ordinal), body);
    }

    [Fact]
    public async Task A_body_whose_last_byte_went_out_cannot_be_stopped()
    {
        using var watchdog = new IdleWatchdog(default, Timeout.InfiniteTimeSpan);
        using var file = new StreamingUploadContent(new MemoryStream(Encoding.UTF8.GetBytes("abc")), watchdog, new ProgressThrottle(null));

        await file.CopyToAsync(Stream.Null);

        Assert.False(file.TryStopBeforeEnd());
        Assert.True(file.Completed);
    }

    static async Task<string> SerializeAsync(string destination, string text)
    {
        using var watchdog = new IdleWatchdog(default, Timeout.InfiniteTimeSpan);
        using var file = new StreamingUploadContent(new MemoryStream(Encoding.UTF8.GetBytes(text)), watchdog, new ProgressThrottle(null));
        using var form = UploadForm.Create(file, destination);
        var buffer = new MemoryStream();
        await form.CopyToAsync(buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
