using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Copies a local directory tree into the sandbox from a plan made once: the local walk (links
/// are handled by <see cref="LocalTreeWalker"/>) against one listing of the destination
/// (<see cref="RemoteTreeIndex"/>), so that nothing is asked per file. Missing directories are
/// made (an existing one is merged into) while files are uploaded, with
/// <see cref="SandboxTreeCopyOptions.MaxParallelFiles"/> in flight (<see cref="TreeFill"/>), each file in two requests (the
/// upload to a staging name and the rename onto the final one: see <see cref="SandboxFileTransfer.UploadAsync(System.IO.Stream, string, SandboxUploadOptions, IProgress{long}, CancellationToken)"/>).
/// Outcomes come as items finish, skipped items first. A new
/// destination may instead be sent as one tar stream (PackedTreeUpload, chosen by
/// <see cref="SandboxTreeCopyOptions.Packing"/>); its outcomes then come once the tree is in place.
/// </summary>
/// <remarks>
/// Each path follows <see cref="TreeTarget"/>: without overwrite, a file that the listing shows at
/// the destination is a Failed outcome without a request; one created in the sandbox after the
/// listing is replaced, as it was when each file was checked just before its upload.
/// </remarks>
internal static class DirectoryUpload
{
    const string Operation = "upload";

    /// <param name="known">What is at the destination when the caller has it already (a listing it asked for); null asks.</param>
    public static async IAsyncEnumerable<SandboxTransferOutcome> RunAsync(SandboxClient client, string localRoot,
        string remoteDirectory, SandboxTreeCopyOptions options, IProgress<SandboxTransferProgress>? progress, RemoteTreeIndex? known,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<LocalTreeEntry> entries = LocalTreeWalker.Walk(localRoot, options.Exclude);
        string remoteRoot = remoteDirectory.Length > 1 ? remoteDirectory.TrimEnd(SandboxPath.Separator) : remoteDirectory;
        if (remoteRoot.Length == 0)
        {
            remoteRoot = "/";
        }

        // The destination itself: a missing one is made, an existing directory merged into; anything else ends the copy.
        RemoteTreeIndex existing = known ?? await RemoteTreeIndex.OfDestinationAsync(client, remoteRoot, options, Operation, cancellationToken).ConfigureAwait(false);

        var directories = new List<LocalTreeEntry>();
        var files = new List<LocalTreeEntry>();
        long totalBytes = 0;
        foreach (LocalTreeEntry entry in entries)
        {
            if (entry.SkipReason is not null)
            {
                yield return new SandboxTransferOutcome
                {
                    Source = entry.FullPath,
                    Destination = SandboxPath.Join(remoteRoot, entry.RelativePath),
                    RelativePath = entry.RelativePath,
                    Kind = entry.Kind,
                    Status = entry.Error is null ? SandboxTransferStatus.Skipped : SandboxTransferStatus.Failed,
                    ReasonCode = entry.SkipCode,
                    Reason = entry.SkipReason,
                    Exception = entry.Error,
                };
            }
            else if (entry.Kind == SandboxItemType.Directory)
            {
                directories.Add(entry);
            }
            else
            {
                files.Add(entry);
                totalBytes += entry.Length;
            }
        }
        var tracker = new TreeProgress(progress, totalBytes, files.Count);
        bool hashPerFile = options.Upload is { } upload && (upload.ComputeSha256 || upload.ExpectedSha256 is not null);
        if (await TreePacking.ShouldPackAsync(client, options, existing.RootExists, files.Count, hashPerFile, remoteRoot, cancellationToken).ConfigureAwait(false))
        {
#if NET8_0_OR_GREATER
            var items = new List<LocalTreeEntry>(directories.Count + files.Count);
            items.AddRange(entries.FindAll(entry => entry.SkipReason is null));
            foreach (SandboxTransferOutcome outcome in await PackedTreeUpload.RunAsync(client, remoteRoot, items, tracker, options.IncludeItems, cancellationToken).ConfigureAwait(false))
            {
                yield return outcome;
            }
            tracker.Complete();
            yield break;
#endif
        }
        await foreach (SandboxTransferOutcome outcome in TreeFill
            .RunAsync(client, remoteRoot, existing.RootExists, directories, files, options.MaxParallelFiles, options.IncludeItems,
                (entry, token) => CopyDirectoryAsync(client, entry, remoteRoot, existing, token),
                (entry, token) => CopyFileAsync(client, entry, remoteRoot, existing, options, tracker, token), cancellationToken)
            .ConfigureAwait(false))
        {
            yield return outcome;
        }
        tracker.Complete();
    }

    static async Task<SandboxTransferOutcome> CopyDirectoryAsync(SandboxClient client, LocalTreeEntry entry, string remoteRoot,
        RemoteTreeIndex existing, CancellationToken cancellationToken)
    {
        string remote = SandboxPath.Join(remoteRoot, entry.RelativePath);
        SandboxItem? item;
        try
        {
            item = await TreeTarget.PlaceDirectoryAsync(client, existing, entry.RelativePath, remote, Operation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (TreeCopyFailures.IsPerItem(e, cancellationToken))
        {
            await TreeCopyFailures.ThrowIfNothingCanGoOnAsync(client, e, cancellationToken).ConfigureAwait(false);
            return Failed(entry, remote, e);
        }
        return Copied(entry, remote, null, item);
    }

    static async Task<SandboxTransferOutcome> CopyFileAsync(SandboxClient client, LocalTreeEntry entry, string remoteRoot,
        RemoteTreeIndex existing, SandboxTreeCopyOptions options, TreeProgress tracker, CancellationToken cancellationToken)
    {
        string remote = SandboxPath.Join(remoteRoot, entry.RelativePath);
        TreeProgress.FileProgress? bytes = null;
        try
        {
            if (TreeTarget.RefuseFile(client, existing, entry.RelativePath, remote, options.Overwrite, Operation) is { } refusal)
            {
                throw refusal;
            }
            bytes = tracker.StartFile(entry.FullPath);
            SandboxUploadResult result = await client.Transfer
                .UploadFileAsync(entry.FullPath, remote, options.Upload, bytes, cancellationToken)
                .ConfigureAwait(false);
            tracker.FileCopied(bytes, result.Length);
            return Copied(entry, remote, result, result.Item);
        }
        catch (Exception e) when (TreeCopyFailures.IsPerItem(e, cancellationToken))
        {
            await TreeCopyFailures.ThrowIfNothingCanGoOnAsync(client, e, cancellationToken).ConfigureAwait(false);
            tracker.FileNotCopied(bytes, entry.Length);
            return Failed(entry, remote, e);
        }
    }

    static SandboxTransferOutcome Copied(LocalTreeEntry entry, string remote, SandboxUploadResult? result, SandboxItem? item) => new SandboxTransferOutcome
    {
        Source = entry.FullPath,
        Destination = remote,
        RelativePath = entry.RelativePath,
        Kind = entry.Kind,
        Status = SandboxTransferStatus.Copied,
        Bytes = result?.Length ?? 0,
        Sha256 = result?.Sha256,
        Item = item,
    };

    static SandboxTransferOutcome Failed(LocalTreeEntry entry, string remote, Exception error) => new SandboxTransferOutcome
    {
        Source = entry.FullPath,
        Destination = remote,
        RelativePath = entry.RelativePath,
        Kind = entry.Kind,
        Status = SandboxTransferStatus.Failed,
        ReasonCode = TreeCopyFailures.ReasonFor(error),
        Reason = error.Message,
        Exception = error,
    };
}
