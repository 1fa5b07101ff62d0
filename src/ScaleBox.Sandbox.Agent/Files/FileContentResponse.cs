using System.Globalization;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// A file sent as Go's <c>http.ServeContent</c> sends it, which serves the real agent's downloads:
/// the conditional headers (<see cref="HttpPreconditions"/>), a type from the name or else from the
/// first bytes, one range as 206 with <c>Content-Range</c>, several as 206
/// <c>multipart/byteranges</c> (unless together they ask for more than the file, then the whole of
/// it), and 416 with the reason as text. The agent adds a strong <c>ETag</c> (Go's adds none, the
/// module's resumed downloads use it when it is there).
/// </summary>
public static class FileContentResponse
{
    // A read of the file goes straight into the response's buffer, this much at a time.
    const int CopyBlock = 64 * 1024;

    public static async Task WriteAsync(HttpContext context, string path, FileStream file, FileVersion version)
    {
        HttpResponse response = context.Response;
        long size = version.Size;
        response.Headers.LastModified = version.ModifiedTime.ToString("R", CultureInfo.InvariantCulture);
        response.Headers.ETag = version.EntityTag;

        PreconditionOutcome outcome = HttpPreconditions.Evaluate(context.Request.Headers, version.EntityTag, version.ModifiedTime);
        switch (outcome)
        {
            case PreconditionOutcome.PreconditionFailed:
                response.StatusCode = StatusCodes.Status412PreconditionFailed;
                return;
            case PreconditionOutcome.NotModified:
                // With an entity tag, a 304 leaves the date out (RFC 7232 4.1).
                response.Headers.Remove("Last-Modified");
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
        }

        string contentType = ExtensionMimeTypes.System.Find(ExtensionMimeTypes.ExtensionOf(path)) ?? await SniffAsync(file, context.RequestAborted);

        string? rangeHeader = outcome == PreconditionOutcome.Serve ? context.Request.Headers.Range.ToString() : null;
        IReadOnlyList<ByteRange> ranges = ByteRanges.Parse(rangeHeader, size, out string? rangeError);
        if (rangeError == ByteRanges.NoOverlap && size == 0)
        {
            // An empty file ignores a range rather than refusing it (clients that always send one).
            rangeError = null;
        }
        if (rangeError is not null)
        {
            await WriteRangeErrorAsync(response, rangeError, rangeError == ByteRanges.NoOverlap ? size : null);
            return;
        }
        if (ranges.Sum(r => r.Length) > size)
        {
            // More bytes asked for than the file has: a careless or hostile client; send the file once.
            ranges = [];
        }

        response.Headers.AcceptRanges = "bytes";
        switch (ranges.Count)
        {
            case 0:
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = contentType;
                response.ContentLength = size;
                await CopyAsync(file, 0, size, response.BodyWriter, context.RequestAborted);
                break;
            case 1:
                ByteRange range = ranges[0];
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.ContentType = contentType;
                response.Headers.ContentRange = range.ContentRange(size);
                response.ContentLength = range.Length;
                await CopyAsync(file, range.Start, range.Length, response.BodyWriter, context.RequestAborted);
                break;
            default:
                await WriteMultipartAsync(response, file, ranges, contentType, size, context.RequestAborted);
                break;
        }
        await response.BodyWriter.CompleteAsync();
    }

    /// <summary>
    /// The ranges as <c>multipart/byteranges</c>, laid out as Go's multipart writer lays them out (each
    /// part's headers sorted by name), with the exact length announced up front.
    /// </summary>
    static async Task WriteMultipartAsync(HttpResponse response, FileStream file, IReadOnlyList<ByteRange> ranges, string contentType, long size, CancellationToken cancel)
    {
        string boundary = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(30));
        byte[][] heads = ranges.Select((r, i) => Encoding.ASCII.GetBytes(
            (i == 0 ? "" : "\r\n") + $"--{boundary}\r\nContent-Range: {r.ContentRange(size)}\r\nContent-Type: {contentType}\r\n\r\n")).ToArray();
        byte[] tail = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");

        response.StatusCode = StatusCodes.Status206PartialContent;
        response.ContentType = "multipart/byteranges; boundary=" + boundary;
        response.ContentLength = heads.Sum(h => (long)h.Length) + ranges.Sum(r => r.Length) + tail.Length;
        for (int i = 0; i < ranges.Count; i++)
        {
            await response.BodyWriter.WriteAsync(heads[i], cancel);
            await CopyAsync(file, ranges[i].Start, ranges[i].Length, response.BodyWriter, cancel);
        }
        await response.BodyWriter.WriteAsync(tail, cancel);
    }

    static async Task CopyAsync(FileStream file, long start, long count, PipeWriter output, CancellationToken cancel)
    {
        file.Position = start;
        while (count > 0)
        {
            Memory<byte> block = output.GetMemory(CopyBlock);
            int read = await file.ReadAsync(block[..(int)Math.Min(block.Length, count)], cancel);
            if (read == 0)
            {
                // The file was cut short while being sent: the length announced cannot be kept, so the
                // connection is dropped rather than a short body passed off as whole.
                throw new IOException($"the file shrank by {count} bytes while it was sent");
            }
            output.Advance(read);
            count -= read;
            FlushResult flushed = await output.FlushAsync(cancel);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                return;
            }
        }
    }

    static async Task<string> SniffAsync(FileStream file, CancellationToken cancel)
    {
        byte[] head = new byte[ContentSniffer.SniffLength];
        int length = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancel);
        file.Position = 0;
        return ContentSniffer.Detect(head.AsSpan(0, length));
    }

    /// <summary>Go's http.Error for a 416: the reason as a text line; the file's validators do not describe it.</summary>
    static async Task WriteRangeErrorAsync(HttpResponse response, string reason, long? size)
    {
        response.Headers.Remove("ETag");
        response.Headers.Remove("Last-Modified");
        if (size is { } total)
        {
            response.Headers.ContentRange = "bytes */" + total.ToString(CultureInfo.InvariantCulture);
        }
        response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        await response.WriteAsync(reason + "\n");
    }
}
