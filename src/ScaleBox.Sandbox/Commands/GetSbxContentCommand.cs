using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Reads a sandbox file as Get-Content does: lines as they stream in, the whole text with -Raw,
/// or bytes with -AsByteStream. The file is never held whole unless -Raw asks for it.
/// </summary>
/// <remarks>
/// Many files (piped, given as an array, or matched by a pattern) are opened up to -ThrottleLimit
/// ahead of the one being written, so their round trips overlap; what an opened download holds
/// until its turn is what the connection buffers, not the file. Output and errors keep the order of
/// the files.
/// </remarks>
[Cmdlet(VerbsCommon.Get, "SbxContent", DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Root + "Get-SbxContent.md")]
[OutputType(typeof(string), typeof(byte), typeof(byte[]))]
public sealed class GetSbxContentCommand : ItemCmdlet
{
    /// <summary>The text encoding; UTF-8 unless given. A byte order mark in the file wins.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(EncodingNameCompleter))]
    public string Encoding { get; set; } = "utf8";

    /// <summary>Returns the whole content as one string (or one byte array with -AsByteStream).</summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    /// <summary>Returns bytes instead of text.</summary>
    [Parameter]
    public SwitchParameter AsByteStream { get; set; }

    /// <summary>Stops after this many lines (or bytes with -AsByteStream); the rest is not transferred.</summary>
    [Parameter]
    [Alias("First", "Head")]
    [ValidateRange(0, long.MaxValue)]
    public long TotalCount { get; set; } = -1;

    /// <summary>Returns only the last lines; only the end of the file is transferred.</summary>
    [Parameter]
    [Alias("Last")]
    [ValidateRange(0, int.MaxValue)]
    public int Tail { get; set; } = -1;

    /// <summary>
    /// What ends each string written, instead of a line ending: the text is split on it and it is
    /// taken out, as Get-Content -Delimiter does; after a last delimiter no empty string follows.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Delimiter { get; set; }

    /// <summary>After the content, keeps following the file and writes lines as they are added, until Ctrl+C.</summary>
    [Parameter]
    // "new": the parameter must be called -Wait, as Get-Content's; the base class's Wait methods are not used here.
    public new SwitchParameter Wait { get; set; }

    /// <summary>
    /// How many files are opened at once, ahead of the one being written (1 to 64; default 16). 1
    /// opens each file only after the previous one's content was written. -Wait opens one at a time.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = ItemLookupCmdlet.DefaultThrottleLimit;

    Encoding _encoding = System.Text.Encoding.UTF8;
    OrderedPipelineWindow<OpenedContent>? _reads;

    /// <summary>
    /// The largest file opened ahead of its turn. A larger one's transfer outweighs its round trip,
    /// and a download left unread for long may be cut by the server (a minimum rate of sending, or a
    /// timeout) once more of it waits than the connection buffers hold.
    /// </summary>
    const long OpenAheadMaxBytes = 1024 * 1024;

    /// <summary>How often -Wait checks the file for new content.</summary>
    static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    /// <summary>As Get-Content: a pattern that names nothing to read is an error.</summary>
    protected override bool UnmatchedPatternIsError => true;

    protected override void BeginProcessing()
    {
        string? conflict = Tail >= 0 && TotalCount >= 0 ? "-Tail and -TotalCount exclude each other: one reads the end of a file, the other its start."
            : Tail >= 0 && AsByteStream ? "-Tail counts lines: it cannot be used with -AsByteStream."
            : Delimiter is not null && Raw ? "-Raw and -Delimiter exclude each other: one reads the file as one string, the other splits it."
            : Delimiter is not null && AsByteStream ? "-Delimiter splits text: it cannot be used with -AsByteStream, which reads bytes."
            : Wait && (Raw || AsByteStream) ? "-Wait follows a file line by line: it cannot be used with -Raw or -AsByteStream."
            : null;
        if (conflict is not null)
        {
            ThrowTerminatingError(SandboxErrors.Create("ParametersConflict", ErrorCategory.InvalidArgument, null, conflict));
        }
        try
        {
            _encoding = TextEncodings.Resolve(Encoding);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "InvalidEncoding", ErrorCategory.InvalidArgument, Encoding));
        }
    }

    protected override void ProcessRecord()
    {
        // -Wait follows the first file until Ctrl+C: nothing is opened ahead of it.
        _reads ??= new OrderedPipelineWindow<OpenedContent>(Wait ? 1 : ThrottleLimit, CancelToken, base.Wait, WriteContent);
        SandboxClient client = Client;
        if (ParameterSetName == InputObjectSet)
        {
            foreach (SandboxItem item in InputObject)
            {
                _reads.Add(cancel => OpenAsync(client, item, cancel));
            }
        }
        else
        {
            foreach ((string path, bool literal) in SelectedPaths())
            {
                if (NamesOneItem(path, literal))
                {
                    bool readNext = _reads.IsEmpty;
                    _reads.Add(cancel => FindAndOpenAsync(client, path, literal, readNext, cancel));
                    continue;
                }
                // A pattern's matches, and the error for none, come after the files before it.
                _reads.WriteAll();
                foreach (SandboxItem item in ResolveItems(path, literal))
                {
                    _reads.Add(cancel => OpenAsync(client, item, cancel));
                }
            }
        }
        _reads.WriteFinished();
    }

    protected override void EndProcessing() => _reads?.WriteAll();

    protected override void DisposeResources()
    {
        _reads?.Dispose();
        base.DisposeResources();
    }

    /// <param name="readNext">
    /// Nothing is before it: its download (or, with -Tail, its last lines), read as soon as it
    /// opens, is asked for alongside the lookup (one round trip, not two), and let go if the lookup
    /// finds a directory, or another path than the download's. Only for a path from the root, or a
    /// relative one once the session knows its home (<see cref="SandboxFileSystem.TryGetKnownFullPath"/>):
    /// a download names its file from the root. A file behind others is opened after its lookup, as
    /// its size decides whether it is opened ahead.
    /// </param>
    async Task<OpenedContent> FindAndOpenAsync(SandboxClient client, string path, bool literal, bool readNext, CancellationToken cancel)
    {
        string named = WithoutEscapes(path, literal);
        string fullPath = string.Empty;
        Task<Stream>? opening = null;
        Task<SandboxFileTail>? tailing = null;
        if (readNext && TotalCount != 0 && client.Files.TryGetKnownFullPath(named, out fullPath))
        {
            if (!ReadsTailFromEnd)
            {
                opening = client.Transfer.OpenReadAsync(fullPath, cancel);
            }
            else if (Tail > 0)
            {
                tailing = client.Transfer.ReadLastLinesAsync(fullPath, Tail, cancel);
            }
        }
        SandboxItem item;
        try
        {
            item = (await FindItemsAsync(client, path, literal, cancel, UnmatchedPatternIsError).ConfigureAwait(false))[0];
        }
        catch (SandboxException e)
        {
            await LetGoAsync(opening, tailing).ConfigureAwait(false);
            return OpenedContent.Failed(path, e);
        }
        if ((opening is null && tailing is null) || item.IsDirectory || item.Path != fullPath)
        {
            await LetGoAsync(opening, tailing).ConfigureAwait(false);
            return await OpenAsync(client, item, cancel).ConfigureAwait(false);
        }
        try
        {
            return tailing is not null
                ? OpenedContent.Tail(item, await tailing.ConfigureAwait(false))
                : OpenedContent.Body(item, new CountingStream(await opening!.ConfigureAwait(false)));
        }
        catch (SandboxException e)
        {
            return OpenedContent.Failed(item.Path, e);
        }
        catch (ArgumentException)
        {
            // A spelling the lookup takes and a download does not: opened by the path the agent gave.
            return await OpenAsync(client, item, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the reads asked for alongside a lookup whose answer does not take them, letting go of what they opened.</summary>
    static async Task LetGoAsync(Task<Stream>? opening, Task<SandboxFileTail>? tailing)
    {
        await SideRequest.DiscardAsync(opening).ConfigureAwait(false);
        await SideRequest.WaitQuietlyAsync(tailing).ConfigureAwait(false);
    }

    /// <summary>Starts reading a file off the pipeline thread: its download opened (or its last lines read, for -Tail), to be written at its turn.</summary>
    async Task<OpenedContent> OpenAsync(SandboxClient client, SandboxItem item, CancellationToken cancel)
    {
        try
        {
            if (item.IsDirectory || TotalCount == 0)
            {
                return OpenedContent.Nothing(item);
            }
            if (ReadsTailFromEnd)
            {
                return OpenedContent.Tail(item, await client.Transfer.ReadLastLinesAsync(item.Path, Tail, cancel).ConfigureAwait(false));
            }
            if (item.Length > OpenAheadMaxBytes)
            {
                return OpenedContent.AtItsTurn(item);
            }
            return OpenedContent.Body(item, new CountingStream(await client.Transfer.OpenReadAsync(item.Path, cancel).ConfigureAwait(false)));
        }
        catch (SandboxException e)
        {
            return OpenedContent.Failed(item.Path, e);
        }
    }

    /// <summary>Writes one file's content (or its error) on the pipeline thread, then lets its download go.</summary>
    void WriteContent(OpenedContent opened)
    {
        using (opened)
        {
            if (opened.Failure is { } failure)
            {
                WriteSandboxError(failure, opened.Path);
                return;
            }
            if (opened.Item!.IsDirectory)
            {
                WriteError(SandboxErrors.Create("PathIsDirectory", ErrorCategory.InvalidArgument, opened.Path,
                    $"'{opened.Path}' is a directory; Get-SbxContent reads files. Use Get-SbxChildItem to list it."));
                return;
            }
            SandboxClient client = Client;
            try
            {
                Pump((sink, cancel) => ReadAsync(client, opened, sink, cancel));
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, opened.Path);
            }
        }
    }

    /// <summary>-Tail of an encoding whose line feed is one 0x0A byte, without -Delimiter: only the end of the file is read.</summary>
    bool ReadsTailFromEnd => Tail >= 0 && Delimiter is null && SplitsOnLineFeedByte(_encoding);

    async Task ReadAsync(SandboxClient client, OpenedContent opened, OutputSink sink, CancellationToken cancel)
    {
        string path = opened.Path;
        Encoding encoding = _encoding;
        if (opened.LastLines is { } tail)
        {
            var splitter = new TextLineSplitter(encoding);
            List<string> lines = splitter.Add(tail.Bytes);
            lines.AddRange(splitter.Add(new byte[] { (byte)'\n' })); // the last line, ended or not
            if (lines.Count > 0 && tail.Bytes.Length > 0 && tail.Bytes[tail.Bytes.Length - 1] == (byte)'\n')
            {
                lines.RemoveAt(lines.Count - 1); // the line feed that ended the file, not a line of its own
            }
            await WriteLinesAsync(lines, sink, cancel).ConfigureAwait(false);
            if (Wait)
            {
                await FollowAsync(client, path, tail.EndOffset, encoding, sink, cancel).ConfigureAwait(false);
            }
            return;
        }
        if (opened.Stream is { } openedAhead)
        {
            await ReadBodyAsync(client, opened, openedAhead, sink, cancel).ConfigureAwait(false);
        }
        else if (opened.OpensAtItsTurn)
        {
            using var stream = new CountingStream(await client.Transfer.OpenReadAsync(path, cancel).ConfigureAwait(false));
            await ReadBodyAsync(client, opened, stream, sink, cancel).ConfigureAwait(false);
        }
        // Otherwise -TotalCount 0: nothing to read.
    }

    async Task ReadBodyAsync(SandboxClient client, OpenedContent opened, CountingStream stream, OutputSink sink, CancellationToken cancel)
    {
        // The readers below take no token on netstandard2.0: closing the stream is what ends a
        // read in progress when the pipeline stops (Select-Object -First, Ctrl+C).
        using CancellationTokenRegistration closeOnCancel = cancel.Register(stream.Dispose);
        try
        {
            await ReadFromAsync(stream, BufferSizeFor(opened.Item!), _encoding, sink, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (cancel.IsCancellationRequested && (e is ObjectDisposedException || e is IOException || e is SandboxException))
        {
            throw new OperationCanceledException(cancel);
        }
        if (Wait)
        {
            await FollowAsync(client, opened.Path, stream.BytesRead, _encoding, sink, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>-Wait: lines added to the file after <paramref name="offset"/>, until the pipeline stops.</summary>
    async Task FollowAsync(SandboxClient client, string path, long offset, Encoding encoding, OutputSink sink, CancellationToken cancel)
    {
        var splitter = new TextLineSplitter(encoding, Delimiter);
        await foreach (SandboxFileChunk chunk in client.Transfer.FollowAsync(path, offset, FollowInterval, cancel).WithCancellation(cancel).ConfigureAwait(false))
        {
            if (chunk.Restarted)
            {
                splitter.Reset();
                await sink.WriteWarningAsync($"{path} became shorter (truncated or replaced): following it again from its start.", cancel).ConfigureAwait(false);
            }
            await WriteLinesAsync(splitter.Add(chunk.Bytes), sink, cancel).ConfigureAwait(false);
        }
    }

    async Task WriteLinesAsync(IReadOnlyList<string> lines, OutputSink sink, CancellationToken cancel)
    {
        if (Raw)
        {
            await sink.WriteObjectAsync(string.Join("\n", lines), cancel).ConfigureAwait(false);
            return;
        }
        foreach (string line in lines)
        {
            await sink.WriteObjectAsync(line, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The read buffer: 80 KiB for a large file, the file's listed size (and a little) for a small
    /// one, so reading many small files does not allocate 80 KiB buffers for a few bytes each. The
    /// listed size may be stale; only the number of reads depends on it.
    /// </summary>
    static int BufferSizeFor(SandboxItem file) => (int)Math.Max(1024, Math.Min(81920, (file.Length ?? 81920) + 1));

    /// <summary>Whether a line feed is the byte 0x0A in this encoding (UTF-8 and single-byte ones), so the end can be found without reading the start.</summary>
    static bool SplitsOnLineFeedByte(Encoding encoding) => encoding.GetByteCount("\n") == 1 && encoding.GetBytes("\n")[0] == (byte)'\n';

    async Task ReadFromAsync(Stream stream, int bufferSize, Encoding encoding, OutputSink sink, CancellationToken cancel)
    {
        if (AsByteStream)
        {
            await ReadBytesAsync(stream, bufferSize, sink, cancel).ConfigureAwait(false);
            return;
        }

        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize, leaveOpen: true);
        if (Raw && Tail < 0) // -Raw -Tail: the last lines, joined (WriteLinesAsync)
        {
            await sink.WriteObjectAsync(await reader.ReadToEndAsync().ConfigureAwait(false), cancel).ConfigureAwait(false);
            return;
        }
        // Lines, or with -Delimiter the pieces it ends; -TotalCount and -Tail count either.
        await WriteCountedAsync(Delimiter is null ? LinesOf(reader) : PiecesOf(reader, Delimiter, bufferSize), sink, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// The strings, or with -Tail the last ones (read to the end: an encoding whose line feed is not
    /// one 0x0A byte, or pieces of a delimiter), or with -TotalCount the first ones.
    /// </summary>
    async Task WriteCountedAsync(IAsyncEnumerable<string> strings, OutputSink sink, CancellationToken cancel)
    {
        if (Tail >= 0)
        {
            var last = new Queue<string>();
            await foreach (string kept in strings.ConfigureAwait(false))
            {
                last.Enqueue(kept);
                if (last.Count > Tail)
                {
                    last.Dequeue();
                }
            }
            await WriteLinesAsync(last.ToList(), sink, cancel).ConfigureAwait(false);
            return;
        }
        long written = 0;
        await foreach (string text in strings.ConfigureAwait(false))
        {
            await sink.WriteObjectAsync(text, cancel).ConfigureAwait(false);
            if (++written == TotalCount)
            {
                return; // disposing the stream ends the download
            }
        }
    }

    static async IAsyncEnumerable<string> LinesOf(StreamReader reader)
    {
        string? line;
        while ((line = await reader.ReadLineAsync().ConfigureAwait(false)) is not null)
        {
            yield return line;
        }
    }

    /// <summary>-Delimiter: the text split on it (the reader decodes).</summary>
    static async IAsyncEnumerable<string> PiecesOf(StreamReader reader, string delimiter, int bufferSize)
    {
        var splitter = new TextLineSplitter(delimiter);
        var buffer = new char[bufferSize];
        int read;
        while ((read = await reader.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
        {
            foreach (string piece in splitter.Add(new string(buffer, 0, read)))
            {
                yield return piece;
            }
        }
        foreach (string piece in splitter.Flush())
        {
            yield return piece;
        }
    }

    async Task ReadBytesAsync(Stream stream, int bufferSize, OutputSink sink, CancellationToken cancel)
    {
        var buffer = new byte[bufferSize];
        var all = Raw ? new MemoryStream() : null;
        long left = TotalCount < 0 ? long.MaxValue : TotalCount;
        int read;
        while (left > 0 && (read = await stream.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, left), cancel).ConfigureAwait(false)) > 0)
        {
            left -= read;
            if (all is not null)
            {
                all.Write(buffer, 0, read);
                continue;
            }
            for (int i = 0; i < read; i++)
            {
                await sink.WriteObjectAsync(buffer[i], cancel).ConfigureAwait(false);
            }
        }
        if (all is not null)
        {
            await sink.WriteObjectAsync(all.ToArray(), cancel).ConfigureAwait(false);
        }
    }
}
