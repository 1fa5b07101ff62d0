using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Copies a sandbox directory tree to a local directory from one listing, planned before anything
/// is written. The listing comes from the sandbox and is treated as hostile (see
/// <see cref="TreePathMapper"/> and <see cref="RemoteLinkRule"/>); every entry ends as one
/// outcome: skipped entries and directories in listing order, then files as they finish, with
/// <see cref="SandboxTreeCopyOptions.MaxParallelFiles"/> in flight, each written under a
/// temporary name and renamed when complete (<see cref="SandboxFileTransfer.DownloadFileAsync(string, string, bool, SandboxDownloadOptions, IProgress{long}, CancellationToken)"/>).
/// A new local destination may instead be filled from one tar stream (PackedTreeDownload, chosen
/// by <see cref="SandboxTreeCopyOptions.Packing"/>); its outcomes then come from the archive's
/// entries, once the tree is in place.
/// </summary>
internal static class DirectoryDownload
{
    const string Operation = "download directory";

    sealed class PlannedEntry
    {
        public SandboxItem Item = null!;
        /// <summary>What the copy is expected to bring, for progress: a link's is its target's size.</summary>
        public long PlannedBytes;
        public string Relative = string.Empty;
        public string? LocalPath;
        public SandboxTransferReason SkipCode;
        public string? SkipReason;
    }

    public static async IAsyncEnumerable<SandboxTransferOutcome> RunAsync(SandboxClient client, string remoteDirectory,
        string localDirectory, SandboxTreeCopyOptions options, IProgress<SandboxTransferProgress>? progress,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        (SandboxItem root, IReadOnlyList<SandboxItem>? listing) = await DirectoryLookup.StatWithListingAsync(client, remoteDirectory, cancellationToken).ConfigureAwait(false);
        if (listing is null)
        {
            throw client.Errors.FromStatus(SandboxErrorCode.InvalidArgument, "it is not a directory", Operation, remoteDirectory, null);
        }
        await foreach (SandboxTransferOutcome outcome in RunAsync(client, remoteDirectory, root, listing, localDirectory, options, progress, cancellationToken)
            .ConfigureAwait(false))
        {
            yield return outcome;
        }
    }

    /// <summary>
    /// The copy of <paramref name="root"/>, a directory as its Stat reported it, from its recursive
    /// <paramref name="listing"/> (asked for at <paramref name="remoteDirectory"/>), both already in hand.
    /// </summary>
    public static async IAsyncEnumerable<SandboxTransferOutcome> RunAsync(SandboxClient client, string remoteDirectory, SandboxItem root,
        IReadOnlyList<SandboxItem> listing, string localDirectory, SandboxTreeCopyOptions options, IProgress<SandboxTransferProgress>? progress,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string localRoot = TreePathMapper.TrimSeparator(Path.GetFullPath(localDirectory));
        var remoteRoots = new List<string> { RemotePaths.Clean(remoteDirectory) };
        string statRoot = RemotePaths.Clean(root.Path);
        if (!remoteRoots.Contains(statRoot))
        {
            remoteRoots.Add(statRoot);
        }

        List<PlannedEntry> plan = Plan(listing, remoteRoots, localRoot, options.Exclude);
        // A link's own size is the length of the name it holds; one that is copied is counted at its
        // target, which the link rule keeps inside the tree and so in the listing (unless the tree is
        // reached through a linked folder, whose resolved names the listing does not use: then at
        // its own size, for progress only).
        var listed = new Dictionary<string, SandboxItem>(StringComparer.Ordinal);
        foreach (SandboxItem item in listing)
        {
            listed[item.Path] = item;
        }
        long totalBytes = 0;
        int totalFiles = 0;
        foreach (PlannedEntry entry in plan)
        {
            if (entry.SkipReason is null && entry.Item.Type == SandboxItemType.File)
            {
                SandboxItem counted = entry.Item.LinkTarget is { } target && listed.TryGetValue(target, out SandboxItem? linked) ? linked : entry.Item;
                entry.PlannedBytes = counted.Length ?? 0;
                totalBytes += entry.PlannedBytes;
                totalFiles++;
            }
        }
        var tracker = new TreeProgress(progress, totalBytes, totalFiles);

        // Auto packs only a tree the per-file copy would take whole (no links, nothing unsafe, nothing left
        // out: the sandbox's tar packs the whole directory), so both give the same result.
        if (options.Exclude is not null && options.Packing == SandboxTreePacking.Always)
        {
            throw TreePacking.Refusal(client, SandboxErrorCode.InvalidArgument, localRoot,
                "a packed download takes the whole directory, and some of it is to be left out; copy it file by file, without packing");
        }
        bool perFileOnly = options.Exclude is not null
            || plan.Exists(entry => entry.SkipReason is not null || entry.Item.LinkTarget is not null)
            || (options.Download is { } download && (download.ComputeSha256 || download.ExpectedSha256 is not null));
        bool destinationExists = Directory.Exists(localRoot) || File.Exists(localRoot);
        if (await TreePacking.ShouldPackAsync(client, options, destinationExists, totalFiles, perFileOnly, localRoot, cancellationToken).ConfigureAwait(false))
        {
#if NET8_0_OR_GREATER
            List<SandboxTransferOutcome>? packed = await PackedTreeDownload.RunAsync(client, RemotePaths.Clean(remoteDirectory), localRoot,
                options.Packing == SandboxTreePacking.Auto, tracker, cancellationToken).ConfigureAwait(false);
            if (packed is not null)
            {
                foreach (SandboxTransferOutcome outcome in packed)
                {
                    yield return outcome;
                }
                tracker.Complete();
                yield break;
            }
#endif
        }

        // Nothing can go on without the destination: its failure ends the copy.
        EnsureDirectory(localRoot, null);
        var verified = new HashSet<string>(TreePathMapper.LocalComparer) { localRoot };

        // Skipped entries and directories first, in listing order (local and quick); then the files, several at once.
        var files = new List<PlannedEntry>();
        foreach (PlannedEntry entry in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SandboxItem item = entry.Item;
            if (entry.SkipReason is not null)
            {
                yield return new SandboxTransferOutcome
                {
                    Source = item.Path,
                    Destination = entry.LocalPath ?? entry.Relative,
                    RelativePath = entry.Relative,
                    Kind = item.Type,
                    Status = SandboxTransferStatus.Skipped,
                    ReasonCode = entry.SkipCode,
                    Reason = entry.SkipReason,
                };
                continue;
            }
            if (!item.IsDirectory)
            {
                files.Add(entry);
                continue;
            }

            string local = entry.LocalPath!;
            SandboxTransferOutcome outcome;
            try
            {
                EnsureDirectory(local, localRoot, verified);
                outcome = Copied(item, entry, local, null);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                outcome = Failed(item, entry, local, SandboxTransferReason.Error, e);
            }
            yield return outcome;
        }

        await foreach (SandboxTransferOutcome outcome in BoundedParallel
            .RunAsync(files, options.MaxParallelFiles, (entry, token) => CopyFileAsync(client, entry, localRoot, verified, options, tracker, token), cancellationToken)
            .ConfigureAwait(false))
        {
            yield return outcome;
        }
        tracker.Complete();
    }

    static async Task<SandboxTransferOutcome> CopyFileAsync(SandboxClient client, PlannedEntry entry, string localRoot, HashSet<string> verified,
        SandboxTreeCopyOptions options, TreeProgress tracker, CancellationToken cancellationToken)
    {
        SandboxItem item = entry.Item;
        string local = entry.LocalPath!;
        TreeProgress.FileProgress bytes = tracker.StartFile(item.Path);
        try
        {
            lock (verified)
            {
                // A listing need not name every parent before its files.
                EnsureDirectory(Path.GetDirectoryName(local)!, localRoot, verified);
            }
            SandboxDownloadResult result = await client.Transfer
                .DownloadFileAsync(item.Path, local, options.Overwrite, options.Download, bytes, cancellationToken)
                .ConfigureAwait(false);
            tracker.FileCopied(bytes, result.Length);
            return Copied(item, entry, local, result);
        }
        catch (Exception e) when (TreeCopyFailures.IsPerItem(e, cancellationToken))
        {
            await TreeCopyFailures.ThrowIfNothingCanGoOnAsync(client, e, cancellationToken).ConfigureAwait(false);
            tracker.FileNotCopied(bytes, entry.PlannedBytes);
            return Failed(item, entry, local, TreeCopyFailures.ReasonFor(e), e);
        }
    }

    /// <summary>Decides, before anything is written, what happens to every listed entry.</summary>
    static List<PlannedEntry> Plan(IReadOnlyList<SandboxItem> listing, List<string> remoteRoots, string localRoot, Func<string, bool>? exclude)
    {
        // Every link's name, so that a file link whose target passes through another link is caught.
        var links = new HashSet<string>(StringComparer.Ordinal);
        foreach (SandboxItem item in listing)
        {
            if (item.LinkTarget is not null
                && TreePathMapper.GetRelativeName(item.Path, remoteRoots, out _, out _) is { } name)
            {
                links.Add(name);
            }
        }

        var plan = new List<PlannedEntry>(listing.Count);
        var skippedDirectories = new List<string>();
        var localPaths = new HashSet<string>(TreePathMapper.LocalComparer);
        foreach (SandboxItem item in listing)
        {
            string? relative = TreePathMapper.GetRelativeName(item.Path, remoteRoots, out string? matchedRoot, out string? reason);
            // Left out without a word, as asked; an unsafe path still gets its outcome below.
            if (relative is not null && TreeExclusion.IsExcluded(exclude, relative))
            {
                continue;
            }
            var entry = new PlannedEntry { Item = item };
            plan.Add(entry);

            if (relative is null)
            {
                entry.Relative = item.Path;
                Skip(entry, SandboxTransferReason.UnsafePath, reason!);
                continue;
            }
            entry.Relative = relative;

            string? insideSkipped = skippedDirectories.Find(d => relative.StartsWith(d + "/", StringComparison.Ordinal));
            if (insideSkipped is not null)
            {
                Skip(entry, SandboxTransferReason.InsideSkippedDirectory, $"it is inside '{insideSkipped}', which was skipped");
                continue;
            }

            entry.LocalPath = TreePathMapper.MapToLocal(localRoot, relative, out reason);
            if (entry.LocalPath is null)
            {
                Skip(entry, SandboxTransferReason.UnsafePath, reason!);
                skippedDirectories.Add(relative);
                continue;
            }

            if (item.LinkTarget is not null)
            {
                if (item.IsDirectory)
                {
                    Skip(entry, SandboxTransferReason.SymbolicLink,
                        $"it is a symbolic link to the directory '{item.LinkTarget}', which is not followed");
                    skippedDirectories.Add(relative);
                    continue;
                }
                if (item.Type == SandboxItemType.File
                    && RemoteLinkRule.CheckFileLink(matchedRoot!, relative, item.LinkTarget, links) is { } linkReason)
                {
                    Skip(entry, SandboxTransferReason.SymbolicLink, linkReason);
                    continue;
                }
            }

            if (item.Type != SandboxItemType.File && item.Type != SandboxItemType.Directory)
            {
                Skip(entry, SandboxTransferReason.UnsupportedType,
                    item.LinkTarget is null ? "it is neither a file nor a directory" : $"it is a symbolic link to '{item.LinkTarget}', which does not exist");
                continue;
            }

            if (!localPaths.Add(entry.LocalPath))
            {
                Skip(entry, SandboxTransferReason.UnsafePath, $"another entry already maps to '{entry.LocalPath}'");
                continue;
            }
        }
        return plan;
    }

    static void Skip(PlannedEntry entry, SandboxTransferReason code, string reason)
    {
        entry.SkipCode = code;
        entry.SkipReason = reason;
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and the missing directories between it and the
    /// root, refusing to pass through a symbolic link or junction (which could lead anywhere).
    /// </summary>
    static void EnsureDirectory(string directory, string localRoot, HashSet<string> verified)
    {
        if (verified.Contains(directory))
        {
            return;
        }
        var pending = new Stack<string>();
        for (string? current = directory; current is not null && !verified.Contains(current); current = Path.GetDirectoryName(current))
        {
            if (!TreePathMapper.IsBelow(current, localRoot))
            {
                throw new IOException($"'{directory}' is not inside '{localRoot}'.");
            }
            pending.Push(current);
        }
        while (pending.Count > 0)
        {
            string next = pending.Pop();
            EnsureDirectory(next, localRoot);
            verified.Add(next);
        }
    }

    static void EnsureDirectory(string path, string? root)
    {
        if (File.Exists(path))
        {
            throw new IOException($"'{path}' exists and is a file, not a directory.");
        }
        if (Directory.Exists(path))
        {
            if (root is not null && (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0)
            {
                throw new IOException($"'{path}' is a symbolic link or junction; nothing is written through it.");
            }
            return;
        }
        Directory.CreateDirectory(path);
    }

    static SandboxTransferOutcome Copied(SandboxItem item, PlannedEntry entry, string local, SandboxDownloadResult? result) => new SandboxTransferOutcome
    {
        Source = item.Path,
        Destination = local,
        RelativePath = entry.Relative,
        Kind = item.Type,
        Status = SandboxTransferStatus.Copied,
        Bytes = result?.Length ?? 0,
        Sha256 = result?.Sha256,
        ResumeCount = result?.ResumeCount ?? 0,
    };

    static SandboxTransferOutcome Failed(SandboxItem item, PlannedEntry entry, string local, SandboxTransferReason code, Exception error) => new SandboxTransferOutcome
    {
        Source = item.Path,
        Destination = local,
        RelativePath = entry.Relative,
        Kind = item.Type,
        Status = SandboxTransferStatus.Failed,
        ReasonCode = code,
        Reason = error.Message,
        Exception = error,
    };
}
