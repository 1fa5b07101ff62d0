using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands
{
    /// <summary>
    /// Reads a sandbox file as Get-Content does: lines as they stream in, the whole text with -Raw,
    /// or bytes with -AsByteStream. The file is never held whole unless -Raw asks for it.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SbxContent", DefaultParameterSetName = PathSet)]
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
            using Stream stream = await client.Transfer.OpenReadAsync(path, cancel).ConfigureAwait(false);
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
        }

        async Task ReadFromAsync(Stream stream, Encoding encoding, OutputSink sink, CancellationToken cancel)
        {
            if (AsByteStream)
            {
                await ReadBytesAsync(stream, sink, cancel).ConfigureAwait(false);
                return;
            }

            using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true);
            if (Raw)
            {
                await sink.WriteObjectAsync(await reader.ReadToEndAsync().ConfigureAwait(false), cancel).ConfigureAwait(false);
                return;
            }
            long lines = 0;
            string? line;
            while ((line = await reader.ReadLineAsync().ConfigureAwait(false)) is not null)
            {
                await sink.WriteObjectAsync(line, cancel).ConfigureAwait(false);
                if (++lines == TotalCount)
                {
                    return; // disposing the stream ends the download
                }
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
}
