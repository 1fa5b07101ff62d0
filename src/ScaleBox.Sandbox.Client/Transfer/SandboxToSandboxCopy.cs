using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Copies from one sandbox to another, streamed: each file's download from the source is read
/// as the upload to the target sends it, so nothing is kept on this machine, in memory or on
/// disk. The upload's staging name means the target never shows a partial file; a cut source
/// ends that file's copy with an error.
/// </summary>
internal static class SandboxToSandboxCopy
{
    const string Operation = "copy";

    public static async Task<SandboxUploadResult> CopyFileAsync(SandboxClient source, string sourcePath, SandboxClient target, string targetPath,
        IProgress<long>? bytesSent, CancellationToken cancellationToken)
    {
        using Stream content = await source.Transfer.OpenReadAsync(sourcePath, cancellationToken).ConfigureAwait(false);
        return await target.Transfer.UploadAsync(content, targetPath, bytesSent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The tree below <paramref name="sourceDirectory"/> into <paramref name="targetDirectory"/>
    /// (made if missing), planned as an upload of a local tree is: one listing of each side, so
    /// nothing is asked per file before it is copied. Directories and files side by side
    /// (<see cref="TreeFill"/>), <see cref="SandboxTreeCopyOptions.MaxParallelFiles"/> at a time,
    /// one outcome per item as it finishes. Names are checked as for a download: one that climbs out of the tree is skipped.
    /// Each destination path follows <see cref="TreeTarget"/>, as an upload's does.
    /// </summary>
    public static async IAsyncEnumerable<SandboxTransferOutcome> CopyDirectoryAsync(SandboxClient source, string sourceDirectory,
        SandboxClient target, string targetDirectory, SandboxTreeCopyOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The two sandboxes are asked at once: what the target already has, and the source's listing,
        // whose failure is the one reported when both fail.
        Task<RemoteTreeIndex> loading = RemoteTreeIndex.OfDestinationAsync(target, targetDirectory, options, Operation, cancellationToken);
        IReadOnlyList<SandboxItem> listing;
        try
        {
            listing = await source.Files.GetChildItemsAsync(sourceDirectory, SandboxFileSystem.RecursiveDepth, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await SideRequest.WaitQuietlyAsync(loading).ConfigureAwait(false);
            throw;
        }
        RemoteTreeIndex existing = await loading.ConfigureAwait(false);
        string prefix = sourceDirectory.TrimEnd('/') + "/";
        var directories = new List<(SandboxItem Item, string Relative)>();
        var files = new List<(SandboxItem Item, string Relative)>();
        foreach (SandboxItem item in listing)
        {
            string? relative = RelativeInside(item.Path, prefix);
            if (relative is null)
            {
                yield return Outcome(item, item.Path, item.Name, SandboxTransferStatus.Skipped, SandboxTransferReason.UnsafePath,
                    "its path is not inside the copied directory", null);
                continue;
            }
            if (TreeExclusion.IsExcluded(options.Exclude, relative))
            {
                continue;
            }
            if (item.IsDirectory)
            {
                directories.Add((item, relative));
            }
            else if (item.Type == SandboxItemType.File)
            {
                files.Add((item, relative));
            }
        }

        await foreach (SandboxTransferOutcome outcome in TreeFill
            .RunAsync(target, targetDirectory, existing.RootExists, directories, files, options.MaxParallelFiles, options.IncludeItems,
                (planned, token) => CopyDirectoryEntryAsync(target, planned.Item, planned.Relative, targetDirectory, existing, token),
                (planned, token) => CopyFileEntryAsync(source, target, planned.Item, planned.Relative, targetDirectory, existing, options.Overwrite, token),
                cancellationToken)
            .ConfigureAwait(false))
        {
            yield return outcome;
        }
    }

    static async Task<SandboxTransferOutcome> CopyDirectoryEntryAsync(SandboxClient target, SandboxItem item, string relative, string targetDirectory,
        RemoteTreeIndex existing, CancellationToken cancellationToken)
    {
        string destination = SandboxPath.Join(targetDirectory, relative);
        SandboxItem? made = null;
        Exception? failure = await TryAsync(async () =>
            made = await TreeTarget.PlaceDirectoryAsync(target, existing, relative, destination, Operation, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return Outcome(item, destination, relative, SandboxTransferStatus.Failed, SandboxTransferReason.Error, failure.Message, failure);
        }
        SandboxTransferOutcome copied = Outcome(item, destination, relative, SandboxTransferStatus.Copied, SandboxTransferReason.None, null, null);
        copied.Item = made;
        return copied;
    }

    static async Task<SandboxTransferOutcome> CopyFileEntryAsync(SandboxClient source, SandboxClient target, SandboxItem item, string relative,
        string targetDirectory, RemoteTreeIndex existing, bool overwrite, CancellationToken cancellationToken)
    {
        string destination = SandboxPath.Join(targetDirectory, relative);
        if (TreeTarget.RefuseFile(target, existing, relative, destination, overwrite, Operation) is { } refusal)
        {
            return Outcome(item, destination, relative, SandboxTransferStatus.Failed, TreeCopyFailures.ReasonFor(refusal), refusal.Message, refusal);
        }
        SandboxUploadResult? copied = null;
        Exception? failure = await TryAsync(async () =>
            copied = await CopyFileAsync(source, item.Path, target, destination, null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (failure is SandboxException { Code: SandboxErrorCode.Unauthenticated })
        {
            throw failure; // nothing later can succeed either: the run ends, the files in flight are cancelled
        }
        if (failure is not null)
        {
            // A lost connection ends the run only when one of the agents no longer answers at all,
            // as in an upload: a cut with both answering fails this file alone.
            await TreeCopyFailures.ThrowIfNothingCanGoOnAsync(target, failure, cancellationToken).ConfigureAwait(false);
            await TreeCopyFailures.ThrowIfNothingCanGoOnAsync(source, failure, cancellationToken).ConfigureAwait(false);
        }
        return failure is null
            ? new SandboxTransferOutcome
            {
                Source = item.Path, Destination = destination, RelativePath = relative, Kind = SandboxItemType.File,
                Status = SandboxTransferStatus.Copied, Bytes = copied!.Length, Item = copied.Item,
            }
            : Outcome(item, destination, relative, SandboxTransferStatus.Failed, SandboxTransferReason.Error, failure.Message, failure);
    }

    /// <summary>The path below <paramref name="prefix"/>, or null when it is not below it or climbs with "..".</summary>
    internal static string? RelativeInside(string path, string prefix)
    {
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        string relative = path.Substring(prefix.Length);
        return relative.Length == 0 || relative.Split('/').Any(segment => !SandboxPath.IsPlainName(segment)) ? null : relative;
    }

    static async Task<Exception?> TryAsync(Func<Task> action, CancellationToken cancellationToken)
    {
        try
        {
            await action().ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is SandboxException || e is IOException))
        {
            return e;
        }
    }

    static SandboxTransferOutcome Outcome(SandboxItem item, string destination, string relative, SandboxTransferStatus status,
        SandboxTransferReason reason, string? why, Exception? failure) => new SandboxTransferOutcome
        {
            Source = item.Path,
            Destination = destination,
            RelativePath = relative,
            Kind = item.Type,
            Status = status,
            ReasonCode = reason,
            Reason = why,
            Exception = failure,
        };
}
