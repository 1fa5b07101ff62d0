using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// The end of a sandbox file, read with Range requests so that only the end is transferred,
/// and a file followed as it grows (tail -f). Lines are found by their LF byte, which holds for
/// UTF-8 and every single-byte encoding.
/// </summary>
internal static class FileTail
{
    const int FirstWindow = 64 * 1024;
    const byte LineFeed = (byte)'\n';

    /// <summary>
    /// The bytes of the last <paramref name="lineCount"/> lines, and the offset they end at. The
    /// first window is the file's last 64 KiB, asked for by a suffix range, so a tail of a few lines
    /// costs one request; a larger one asks for more, four times as much each time.
    /// </summary>
    public static async Task<SandboxFileTail> ReadLastLinesAsync(SandboxFileTransfer transfer, SandboxFileSystem files, string path, int lineCount, CancellationToken cancellationToken)
    {
        if (lineCount > 0 && await transfer.ReadEndAsync(path, FirstWindow, cancellationToken).ConfigureAwait(false) is (byte[] end, long endStart, long endSize))
        {
            int start = StartOfLastLines(end, lineCount, endStart == 0);
            if (start >= 0)
            {
                return TailOf(end, start, endStart);
            }
            return await ReadLastLinesAsync(transfer, path, lineCount, endSize, FirstWindow * 4L, cancellationToken).ConfigureAwait(false);
        }
        long size = await ContentLengthAsync(files, path, cancellationToken).ConfigureAwait(false);
        if (lineCount <= 0 || size == 0)
        {
            return new SandboxFileTail(new byte[0], size);
        }
        return await ReadLastLinesAsync(transfer, path, lineCount, size, FirstWindow, cancellationToken).ConfigureAwait(false);
    }

    static SandboxFileTail TailOf(byte[] bytes, int start, long offset)
    {
        var tail = new byte[bytes.Length - start];
        Buffer.BlockCopy(bytes, start, tail, 0, tail.Length);
        return new SandboxFileTail(tail, offset + bytes.Length);
    }

    /// <summary>The last lines of a file of <paramref name="size"/> bytes, reading windows from its end that grow fourfold.</summary>
    static async Task<SandboxFileTail> ReadLastLinesAsync(SandboxFileTransfer transfer, string path, int lineCount, long size, long window, CancellationToken cancellationToken)
    {
        while (true)
        {
            long offset = Math.Max(0, size - window);
            byte[] bytes = await ReadRangeAsync(transfer, path, offset, size, cancellationToken).ConfigureAwait(false);
            int start = StartOfLastLines(bytes, lineCount, offset == 0);
            if (start >= 0)
            {
                return TailOf(bytes, start, offset);
            }
            window *= 4;
        }
    }

    /// <summary>
    /// Where the last <paramref name="lineCount"/> lines start in <paramref name="bytes"/>; -1 when
    /// the window holds fewer lines and more of the file lies before it. A final LF ends the last
    /// line rather than starting an empty one.
    /// </summary>
    internal static int StartOfLastLines(byte[] bytes, int lineCount, bool atStartOfFile)
    {
        int end = bytes.Length;
        if (end > 0 && bytes[end - 1] == LineFeed)
        {
            end--;
        }
        int seen = 0;
        for (int i = end - 1; i >= 0; i--)
        {
            if (bytes[i] == LineFeed && ++seen == lineCount)
            {
                return i + 1;
            }
        }
        return atStartOfFile ? 0 : -1;
    }

    /// <summary>
    /// What is added to the file after <paramref name="offset"/>, as it is added, until cancelled.
    /// The size is checked every <paramref name="pollInterval"/>; a file that shrinks was
    /// truncated or replaced, and is followed again from its start.
    /// </summary>
    public static async IAsyncEnumerable<SandboxFileChunk> FollowAsync(SandboxFileTransfer transfer, SandboxFileSystem files, string path, long offset,
        TimeSpan pollInterval, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
            long size = await ContentLengthAsync(files, path, cancellationToken).ConfigureAwait(false);
            bool restarted = false;
            if (size < offset)
            {
                offset = 0;
                restarted = true;
            }
            if (size == offset)
            {
                continue;
            }
            byte[] bytes = await ReadRangeAsync(transfer, path, offset, size, cancellationToken).ConfigureAwait(false);
            offset += bytes.Length;
            yield return new SandboxFileChunk(bytes, restarted);
        }
    }

    /// <summary>
    /// How many bytes a download of the path gives. The agent describes a symbolic link by the link
    /// itself, whose size is the length of the name it holds, so a link is measured at its target.
    /// </summary>
    static async Task<long> ContentLengthAsync(SandboxFileSystem files, string path, CancellationToken cancellationToken)
    {
        SandboxItem item = await files.GetItemAsync(path, cancellationToken).ConfigureAwait(false);
        if (item.LinkTarget is { } target && item.Type == SandboxItemType.File)
        {
            // The agent resolves it to an absolute path; a relative one is read from the link's folder.
            item = await files.GetItemAsync(SandboxPath.Join(SandboxPath.GetParent(item.Path), target), cancellationToken).ConfigureAwait(false);
        }
        return item.Length ?? 0;
    }

    /// <summary>Bytes [from, to) of the file; fewer if it shrank meanwhile.</summary>
    static async Task<byte[]> ReadRangeAsync(SandboxFileTransfer transfer, string path, long from, long to, CancellationToken cancellationToken)
    {
        using Stream stream = await transfer.OpenReadAsync(path, from, cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream((int)Math.Min(to - from, int.MaxValue));
        var chunk = new byte[81920];
        long left = to - from;
        int read;
        while (left > 0 && (read = await stream.ReadAsync(chunk, 0, (int)Math.Min(chunk.Length, left), cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            left -= read;
        }
        return buffer.ToArray();
    }
}
