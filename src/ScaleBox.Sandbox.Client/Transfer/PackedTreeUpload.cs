#if NET8_0_OR_GREATER
using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.IO.Pipes;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A new directory tree sent as one tar stream: the archive is written from the local walk (so
/// links and unreadable items are treated exactly as the per-file copy treats them) straight
/// into the upload of a hidden staging file beside the destination, through an in-process pipe,
/// never a temporary file. The sandbox's tar unpacks it into a hidden staging directory, which
/// is renamed onto the destination once complete; on failure or cancellation both staging names
/// are removed, so the destination either appears whole or not at all.
/// </summary>
internal static class PackedTreeUpload
{
    const string Operation = "upload";
    const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Copies the planned items; returns one outcome per item, in walk order, once the tree is in place.</summary>
    /// <param name="items">Directories and files to copy, in walk order (parents first), none skipped.</param>
    /// <param name="includeItems">List the tree once in place and give each outcome its item.</param>
    public static async Task<List<SandboxTransferOutcome>> RunAsync(SandboxClient client, string remoteRoot,
        IReadOnlyList<LocalTreeEntry> items, TreeProgress tracker, bool includeItems, CancellationToken cancellationToken)
    {
        string parent = SandboxPath.GetParent(remoteRoot);
        string leaf = SandboxPath.GetLeaf(remoteRoot);
        string stagingDirectory = SandboxPath.Join(parent, RemotePaths.StagingName(leaf));
        string archive = SandboxPath.Join(parent, RemotePaths.StagingName(leaf + ".tar"));
        var outcomes = new List<SandboxTransferOutcome>(items.Count);
        SandboxItem? placed = null;
        try
        {
            try
            {
                await client.Files.CreateDirectoryAsync(parent, cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxException e) when (e.Code == SandboxErrorCode.AlreadyExists)
            {
            }
            await UploadArchiveAsync(client, remoteRoot, archive, items, outcomes, tracker, cancellationToken).ConfigureAwait(false);
            await RemoteTar.ExtractAsync(client.Processes, archive, stagingDirectory, remoteRoot, client.Errors, cancellationToken).ConfigureAwait(false);
            placed = await client.Files.MoveAsync(stagingDirectory, remoteRoot, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await RemoteTar.TryRemoveAsync(client, archive).ConfigureAwait(false);
            if (placed is null)
            {
                await RemoteTar.TryRemoveAsync(client, stagingDirectory).ConfigureAwait(false);
            }
        }
        if (includeItems)
        {
            await FillItemsAsync(client, remoteRoot, placed!.Path, outcomes, cancellationToken).ConfigureAwait(false);
        }
        return outcomes;
    }

    /// <summary>One listing of the placed tree gives every copied item its entry; one the listing lacks keeps none.</summary>
    static async Task FillItemsAsync(SandboxClient client, string remoteRoot, string placedPath, List<SandboxTransferOutcome> outcomes, CancellationToken cancellationToken)
    {
        RemoteTreeIndex placed = await RemoteTreeIndex.ListAsync(client, remoteRoot, placedPath, cancellationToken).ConfigureAwait(false);
        foreach (SandboxTransferOutcome outcome in outcomes)
        {
            if (outcome.Status == SandboxTransferStatus.Copied)
            {
                outcome.Item = placed.ItemAt(outcome.RelativePath);
            }
        }
    }

    /// <summary>Streams the archive into the sandbox while it is being written; fills <paramref name="outcomes"/> as entries are added.</summary>
    static async Task UploadArchiveAsync(SandboxClient client, string remoteRoot, string archive,
        IReadOnlyList<LocalTreeEntry> items, List<SandboxTransferOutcome> outcomes, TreeProgress tracker, CancellationToken cancellationToken)
    {
        using var writeEnd = new AnonymousPipeServerStream(PipeDirection.Out);
        using var readEnd = new AnonymousPipeClientStream(PipeDirection.In, writeEnd.ClientSafePipeHandle);
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task writing = Task.Run(() => WriteArchiveAsync(writeEnd, remoteRoot, items, outcomes, tracker, stopWriting.Token), CancellationToken.None);
        try
        {
            using var content = new ProducedStream(readEnd, writing);
            await client.Transfer.UploadAsync(content, archive, null, null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The upload ended first: the writer is unblocked (its pipe has no reader any more) and its own failure, if any, is moot.
            stopWriting.Cancel();
            readEnd.Dispose();
            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException || e is OperationCanceledException || e is ObjectDisposedException)
            {
            }
            throw;
        }
        await writing.ConfigureAwait(false);
    }

    static async Task WriteArchiveAsync(Stream pipe, string remoteRoot, IReadOnlyList<LocalTreeEntry> items, List<SandboxTransferOutcome> outcomes,
        TreeProgress tracker, CancellationToken cancellationToken)
    {
        try
        {
            var writer = new TarWriter(pipe, TarEntryFormat.Pax, leaveOpen: true);
            foreach (LocalTreeEntry item in items)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string remote = SandboxPath.Join(remoteRoot, item.RelativePath);
                if (item.Kind == SandboxItemType.Directory)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, item.RelativePath) { Mode = DirectoryMode }, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(Outcome(item, remote, SandboxTransferStatus.Copied, 0, null));
                    continue;
                }
                TreeProgress.FileProgress bytes = tracker.StartFile(item.FullPath);
                FileStream source;
                try
                {
                    // Opened through a link to a file inside the tree, as the per-file copy reads it: the archive holds its content.
                    source = new FileStream(item.FullPath, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    tracker.FileNotCopied(bytes, item.Length);
                    outcomes.Add(Outcome(item, remote, SandboxTransferStatus.Failed, 0, e));
                    continue;
                }
                long length;
                await using (source.ConfigureAwait(false))
                {
                    length = source.Length;
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, item.RelativePath) { Mode = FileMode, DataStream = source };
                    await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                }
                tracker.FileCopied(bytes, length);
                outcomes.Add(Outcome(item, remote, SandboxTransferStatus.Copied, length, null));
            }
            // Only a complete archive gets its end marker: a failed one must not read as whole.
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await pipe.DisposeAsync().ConfigureAwait(false);
        }
    }

    static SandboxTransferOutcome Outcome(LocalTreeEntry item, string remote, SandboxTransferStatus status, long bytes, Exception? error) => new SandboxTransferOutcome
    {
        Source = item.FullPath,
        Destination = remote,
        RelativePath = item.RelativePath,
        Kind = item.Kind,
        Status = status,
        Bytes = bytes,
        ReasonCode = error is null ? SandboxTransferReason.None : SandboxTransferReason.Error,
        Reason = error?.Message,
        Exception = error,
    };

    /// <summary>
    /// The read end of the pipe, which at its end reports how the writing ended: an archive cut
    /// short by a local failure must fail the upload, not arrive as a shorter stream.
    /// </summary>
    sealed class ProducedStream : Stream
    {
        readonly Stream _source;
        readonly Task _producer;

        public ProducedStream(Stream source, Task producer)
        {
            _source = source;
            _producer = producer;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await _source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0 && buffer.Length > 0)
            {
                await _producer.ConfigureAwait(false); // rethrows what ended the archive early
            }
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
#endif
