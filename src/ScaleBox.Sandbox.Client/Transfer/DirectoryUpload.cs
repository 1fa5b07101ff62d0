using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer
{
    /// <summary>
    /// Copies a local directory tree into the sandbox, one file at a time: directories are created
    /// (an existing one is merged into), files uploaded; links are handled by <see cref="LocalTreeWalker"/>.
    /// Without overwrite, a file that exists in the sandbox is a Failed outcome (checked with Stat first).
    /// </summary>
    internal static class DirectoryUpload
    {
        const string Operation = "upload";

        public static async IAsyncEnumerable<SandboxTransferOutcome> RunAsync(SandboxClient client, string localRoot,
            string remoteDirectory, SandboxTreeCopyOptions options, IProgress<SandboxTransferProgress>? progress,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            List<LocalTreeEntry> entries = LocalTreeWalker.Walk(localRoot);
            string remoteRoot = remoteDirectory.Length > 1 ? remoteDirectory.TrimEnd(SandboxPath.Separator) : remoteDirectory;
            if (remoteRoot.Length == 0)
            {
                remoteRoot = "/";
            }

            long totalBytes = 0;
            int totalFiles = 0;
            foreach (LocalTreeEntry entry in entries)
            {
                if (entry.SkipReason is null && entry.Kind == SandboxItemType.File)
                {
                    totalBytes += entry.Length;
                    totalFiles++;
                }
            }
            var tracker = new TreeProgress(progress, totalBytes, totalFiles);

            // The destination itself: an existing directory is fine; anything else ends the copy.
            await CreateDirectoryAsync(client, remoteRoot, cancellationToken).ConfigureAwait(false);

            foreach (LocalTreeEntry entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string remote = SandboxPath.Join(remoteRoot, entry.RelativePath);
                if (entry.SkipReason is not null)
                {
                    yield return new SandboxTransferOutcome
                    {
                        Source = entry.FullPath,
                        Destination = remote,
                        RelativePath = entry.RelativePath,
                        Kind = entry.Kind,
                        Status = entry.Error is null ? SandboxTransferStatus.Skipped : SandboxTransferStatus.Failed,
                        ReasonCode = entry.SkipCode,
                        Reason = entry.SkipReason,
                        Exception = entry.Error,
                    };
                    continue;
                }

                Exception? failure = null;
                SandboxUploadResult? result = null;
                if (entry.Kind == SandboxItemType.File)
                {
                    tracker.StartFile(entry.FullPath);
                }
                try
                {
                    if (entry.Kind == SandboxItemType.Directory)
                    {
                        await CreateDirectoryAsync(client, remote, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        if (!options.Overwrite && await client.Files.ExistsAsync(remote, cancellationToken).ConfigureAwait(false))
                        {
                            throw client.Errors.FromStatus(SandboxErrorCode.AlreadyExists, null, Operation, remote, null);
                        }
                        result = await client.Transfer
                            .UploadFileAsync(entry.FullPath, remote, options.Upload, tracker.FileBytes, cancellationToken)
                            .ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (TreeCopyFailures.IsPerItem(e, cancellationToken))
                {
                    failure = e;
                }

                if (failure is not null)
                {
                    await TreeCopyFailures.ThrowIfNothingCanGoOnAsync(client, failure, cancellationToken).ConfigureAwait(false);
                    if (entry.Kind == SandboxItemType.File)
                    {
                        tracker.FileNotCopied(entry.Length);
                    }
                    yield return new SandboxTransferOutcome
                    {
                        Source = entry.FullPath,
                        Destination = remote,
                        RelativePath = entry.RelativePath,
                        Kind = entry.Kind,
                        Status = SandboxTransferStatus.Failed,
                        ReasonCode = TreeCopyFailures.ReasonFor(failure),
                        Reason = failure.Message,
                        Exception = failure,
                    };
                    continue;
                }

                if (result is not null)
                {
                    tracker.FileCopied(result.Length);
                }
                yield return new SandboxTransferOutcome
                {
                    Source = entry.FullPath,
                    Destination = remote,
                    RelativePath = entry.RelativePath,
                    Kind = entry.Kind,
                    Status = SandboxTransferStatus.Copied,
                    Bytes = result?.Length ?? 0,
                    Sha256 = result?.Sha256,
                };
            }
            tracker.Complete();
        }

        static async Task CreateDirectoryAsync(SandboxClient client, string path, CancellationToken cancellationToken)
        {
            try
            {
                await client.Files.CreateDirectoryAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxException e) when (e.Code == SandboxErrorCode.AlreadyExists)
            {
                // Merging into an existing directory is what a recursive copy does.
            }
        }
    }
}
