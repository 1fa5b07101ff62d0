#if NET8_0_OR_GREATER
using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A sandbox directory copied to a new local directory as one tar stream: the sandbox's tar packs
/// it into a hidden file in the sandbox's /tmp, which is downloaded (resumed after a dropped
/// connection) into a local temporary file beside the destination and removed in the sandbox; the
/// archive is then unpacked into a hidden staging directory beside the destination, renamed onto
/// it once complete. The archive comes from the sandbox and is treated as hostile
/// (<see cref="ExtractAsync"/>).
/// </summary>
internal static class PackedTreeDownload
{
    /// <summary>Where the archive is made in the sandbox: a directory every Linux sandbox has and its user can write.</summary>
    const string RemoteScratch = "/tmp";

    /// <param name="fallBackIfPackingFails">
    /// When the sandbox's tar cannot pack the tree (an unreadable file, no room in /tmp), return
    /// null instead of failing, before anything is written locally: Auto then copies file by file,
    /// which copies what it can and reports the rest one by one.
    /// </param>
    public static async Task<List<SandboxTransferOutcome>?> RunAsync(SandboxClient client, string remoteRoot, string localRoot,
        bool fallBackIfPackingFails, TreeProgress tracker, CancellationToken cancellationToken)
    {
        string parent = Path.GetDirectoryName(localRoot)
            ?? throw new ArgumentException($"'{localRoot}' has no parent directory to write into.", nameof(localRoot));
        string leaf = Path.GetFileName(localRoot);
        string archive = SandboxPath.Join(RemoteScratch, RemotePaths.StagingName(SandboxPath.GetLeaf(remoteRoot) + ".tar"));
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, RemotePaths.StagingName(leaf));
        bool placed = false;
        try
        {
            using var local = new FileStream(Path.Combine(parent, RemotePaths.StagingName(leaf + ".tar")), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.None, 1, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            try
            {
                try
                {
                    await RemoteTar.PackAsync(client.Processes, remoteRoot, archive, client.Errors, cancellationToken).ConfigureAwait(false);
                }
                catch (SandboxException e) when (fallBackIfPackingFails && e.Code != SandboxErrorCode.Unauthenticated && e.Code != SandboxErrorCode.Unavailable)
                {
                    return null;
                }
                await client.Transfer.DownloadAsync(archive, local, null, null, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await RemoteTar.TryRemoveAsync(client, archive).ConfigureAwait(false);
            }
            local.Position = 0;
            Directory.CreateDirectory(staging);
            List<SandboxTransferOutcome> outcomes = await ExtractAsync(local, remoteRoot, staging, localRoot, tracker, cancellationToken).ConfigureAwait(false);
            Directory.Move(staging, localRoot);
            placed = true;
            return outcomes;
        }
        finally
        {
            if (!placed)
            {
                TryDelete(staging);
            }
        }
    }

    /// <summary>
    /// Unpacks an archive from the sandbox into <paramref name="staging"/>, reporting each entry
    /// under its final place below <paramref name="localRoot"/>. Only regular files and
    /// directories are written, and only under names that are relative, free of <c>..</c>,
    /// backslashes and drive prefixes and that resolve inside the staging directory (the rules the
    /// per-file copy applies to a listing); symbolic and hard links are Skipped
    /// (<see cref="SandboxTransferReason.SymbolicLink"/>), other entry types too
    /// (<see cref="SandboxTransferReason.UnsupportedType"/>). Nothing here creates a link, so no
    /// later entry can be written through one. Owners, modes and times in the archive are ignored.
    /// </summary>
    internal static async Task<List<SandboxTransferOutcome>> ExtractAsync(Stream archive, string remoteRoot, string staging, string localRoot,
        TreeProgress tracker, CancellationToken cancellationToken)
    {
        var outcomes = new List<SandboxTransferOutcome>();
        using var reader = new TarReader(archive, leaveOpen: true);
        TarEntry? entry;
        while ((entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false)) is not null)
        {
            if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }
            string name = RelativeName(entry.Name);
            if (name.Length == 0)
            {
                continue; // "./", the packed directory itself
            }
            string source = name[0] == '/' ? name : SandboxPath.Join(remoteRoot, name);
            SandboxItemType kind = entry.EntryType == TarEntryType.Directory ? SandboxItemType.Directory : SandboxItemType.File;
            string? reason = TreePathMapper.CheckRelativeName(name);
            string? target = reason is null ? TreePathMapper.MapToLocal(staging, name, out reason) : null;
            string? final = target is null ? null : TreePathMapper.MapToLocal(localRoot, name, out reason);
            if (target is null || final is null)
            {
                outcomes.Add(Skipped(source, name, name, kind, SandboxTransferReason.UnsafePath, reason!));
                continue;
            }
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    outcomes.Add(Write(source, name, final, kind, () =>
                    {
                        RequireNoFile(target);
                        Directory.CreateDirectory(target);
                        return 0;
                    }));
                    break;
                case TarEntryType.RegularFile:
                case TarEntryType.V7RegularFile:
                case TarEntryType.ContiguousFile:
                    TreeProgress.FileProgress bytes = tracker.StartFile(source);
                    SandboxTransferOutcome outcome = await WriteFileAsync(entry, source, name, target, final, cancellationToken).ConfigureAwait(false);
                    if (outcome.Status == SandboxTransferStatus.Copied)
                    {
                        tracker.FileCopied(bytes, outcome.Bytes);
                    }
                    else
                    {
                        tracker.FileNotCopied(bytes, 0);
                    }
                    outcomes.Add(outcome);
                    break;
                case TarEntryType.SymbolicLink:
                case TarEntryType.HardLink:
                    outcomes.Add(Skipped(source, name, final, kind, SandboxTransferReason.SymbolicLink,
                        $"it is a {(entry.EntryType == TarEntryType.HardLink ? "hard" : "symbolic")} link to '{entry.LinkName}' in the archive, which is not followed"));
                    break;
                default:
                    outcomes.Add(Skipped(source, name, final, kind, SandboxTransferReason.UnsupportedType,
                        $"it is neither a file nor a directory (a {entry.EntryType} entry in the archive)"));
                    break;
            }
        }
        return outcomes;
    }

    /// <summary>The entry's name as tar writes it for <c>-C dir .</c> ("./a/b", "./dir/"), without the leading "./" and a trailing '/'.</summary>
    static string RelativeName(string name)
    {
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name.Substring(2);
        }
        name = name.TrimEnd('/');
        return name == "." ? string.Empty : name;
    }

    static async Task<SandboxTransferOutcome> WriteFileAsync(TarEntry entry, string source, string name, string target, string final, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            long length = 0;
            // CreateNew: a second entry of the same name (or a directory there) fails instead of replacing what was written.
            var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                if (entry.DataStream is { } data)
                {
                    await data.CopyToAsync(file, StreamingUploadContent.BufferSize, cancellationToken).ConfigureAwait(false);
                }
                length = file.Length;
            }
            return Outcome(source, name, final, SandboxItemType.File, SandboxTransferStatus.Copied, length, SandboxTransferReason.None, null, null);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return Outcome(source, name, final, SandboxItemType.File, SandboxTransferStatus.Failed, 0, SandboxTransferReason.Error, e.Message, e);
        }
    }

    static SandboxTransferOutcome Write(string source, string name, string final, SandboxItemType kind, Func<long> write)
    {
        try
        {
            return Outcome(source, name, final, kind, SandboxTransferStatus.Copied, write(), SandboxTransferReason.None, null, null);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return Outcome(source, name, final, kind, SandboxTransferStatus.Failed, 0, SandboxTransferReason.Error, e.Message, e);
        }
    }

    static void RequireNoFile(string path)
    {
        if (File.Exists(path))
        {
            throw new IOException($"'{path}' exists and is a file, not a directory.");
        }
    }

    static SandboxTransferOutcome Skipped(string source, string name, string destination, SandboxItemType kind, SandboxTransferReason code, string reason) =>
        Outcome(source, name, destination, kind, SandboxTransferStatus.Skipped, 0, code, reason, null);

    static SandboxTransferOutcome Outcome(string source, string name, string destination, SandboxItemType kind, SandboxTransferStatus status,
        long bytes, SandboxTransferReason code, string? reason, Exception? error) => new SandboxTransferOutcome
        {
            Source = source,
            Destination = destination,
            RelativePath = name,
            Kind = kind,
            Status = status,
            Bytes = bytes,
            ReasonCode = code,
            Reason = reason,
            Exception = error,
        };

    /// <summary>Best effort: the staging directory holds only files and directories this copy made (never a link).</summary>
    static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
        }
    }
}
#endif
