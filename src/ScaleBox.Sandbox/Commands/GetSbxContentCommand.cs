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
    }

    protected override void ProcessRecord()
    {
        Encoding encoding;
        try
        {
            encoding = TextEncodings.Resolve(Encoding);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "InvalidEncoding", ErrorCategory.InvalidArgument, Encoding));
            return;
        }

        foreach (SandboxItem item in SelectedItems())
        {
            if (item.IsDirectory)
            {
                WriteError(SandboxErrors.Create("PathIsDirectory", ErrorCategory.InvalidArgument, item.Path,
                    $"'{item.Path}' is a directory; Get-SbxContent reads files. Use Get-SbxChildItem to list it."));
                continue;
            }
            SandboxClient client = Client;
            try
            {
                Pump((sink, cancel) => ReadAsync(client, item.Path, encoding, sink, cancel));
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, item.Path);
            }
        }
    }

    async Task ReadAsync(SandboxClient client, string path, Encoding encoding, OutputSink sink, CancellationToken cancel)
    {
        if (TotalCount == 0)
        {
            return;
        }
        if (Tail >= 0 && Delimiter is null && SplitsOnLineFeedByte(encoding))
        {
            SandboxFileTail tail = await client.Transfer.ReadLastLinesAsync(path, Tail, cancel).ConfigureAwait(false);
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
        using var stream = new CountingStream(await client.Transfer.OpenReadAsync(path, cancel).ConfigureAwait(false));
        // The readers below take no token on netstandard2.0: closing the stream is what ends a
        // read in progress when the pipeline stops (Select-Object -First, Ctrl+C).
        using CancellationTokenRegistration closeOnCancel = cancel.Register(stream.Dispose);
        try
        {
            await ReadFromAsync(stream, encoding, sink, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (cancel.IsCancellationRequested && (e is ObjectDisposedException || e is IOException || e is SandboxException))
        {
            throw new OperationCanceledException(cancel);
        }
        if (Wait)
        {
            await FollowAsync(client, path, stream.BytesRead, encoding, sink, cancel).ConfigureAwait(false);
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

    /// <summary>Whether a line feed is the byte 0x0A in this encoding (UTF-8 and single-byte ones), so the end can be found without reading the start.</summary>
    static bool SplitsOnLineFeedByte(Encoding encoding) => encoding.GetByteCount("\n") == 1 && encoding.GetBytes("\n")[0] == (byte)'\n';

    async Task ReadFromAsync(Stream stream, Encoding encoding, OutputSink sink, CancellationToken cancel)
    {
        if (AsByteStream)
        {
            await ReadBytesAsync(stream, sink, cancel).ConfigureAwait(false);
            return;
        }

        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, 81920, leaveOpen: true);
        if (Raw && Tail < 0) // -Raw -Tail: the last lines, joined (WriteLinesAsync)
        {
            await sink.WriteObjectAsync(await reader.ReadToEndAsync().ConfigureAwait(false), cancel).ConfigureAwait(false);
            return;
        }
        // Lines, or with -Delimiter the pieces it ends; -TotalCount and -Tail count either.
        await WriteCountedAsync(Delimiter is null ? LinesOf(reader) : PiecesOf(reader, Delimiter), sink, cancel).ConfigureAwait(false);
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
    static async IAsyncEnumerable<string> PiecesOf(StreamReader reader, string delimiter)
    {
        var splitter = new TextLineSplitter(delimiter);
        var buffer = new char[81920];
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

    async Task ReadBytesAsync(Stream stream, OutputSink sink, CancellationToken cancel)
    {
        var buffer = new byte[81920];
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
